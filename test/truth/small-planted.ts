/** The small planted data set trainPlanted's tests train on: 12 features in 8 dimensions, one pair. */
import { plantedModel } from '../../src/truth/planted';
import { plantedDataset, samplePlanted } from '../../src/truth/planted-sample';

export function smallPlanted() {
  const planted = plantedModel({ n: 12, d: 8, l0: 2, hierarchy: [[0, 1]], seed: 1 });
  return { planted, train: plantedDataset(planted, samplePlanted(planted, 1024, 2)), test: samplePlanted(planted, 256, 3) };
}
