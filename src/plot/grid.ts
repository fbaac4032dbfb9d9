/**
 * Images as one tiled heatmap (imageGrid) and the lesson's two grids built on it: decoded
 * features and originals above reconstructions.
 */
import { DIVERGING, Figure } from './figures';

export interface GridOptions {
  title: string;
  /** image height and width (28 x 28 for MNIST) */
  rows: number;
  cols: number;
  /** images per grid row */
  perRow?: number;
  /** text shown on hover over each image */
  labels?: string[];
  /** one label per grid row, written at its left (e.g. the model or setting each row shows) */
  rowLabels?: string[];
  /**
   * colour range shared by all tiles; by default the min..max over all images. A signed grid (a value
   * or zmin below 0) gets a range symmetric around 0, a diverging scale and a colour bar.
   */
  zmin?: number;
  zmax?: number;
  /** a Plotly colorscale name, or [position, colour] stops (default: Greys, or DIVERGING for a signed grid) */
  colorscale?: string | [number, string][];
}

/** The smallest side of a tile on screen, in CSS pixels (a 28 x 28 digit at 2 px per pixel). */
export const MIN_TILE_PX = 56;
/** Screen pixels per image pixel are chosen so that the grid is about this wide, within [MIN_TILE_PX, 6 px per pixel]. */
const GRID_TARGET_WIDTH = 900;
/** Room for a colour bar at the right, and for row labels at the left (per character of the longest). */
const COLORBAR_MARGIN = 100;
const LABEL_CHAR_PX = 7;

/**
 * Many small images as one tiled heatmap (one trace, so 1000 tiles stay fast), with a
 * one-pixel gap between tiles. Each tile's label shows on hover through a second, invisible
 * scatter trace with one point per tile (per-pixel labels would make the page megabytes bigger).
 * The figure's size is fixed from the tiles (each at least MIN_TILE_PX on its smaller side), and
 * both axes' ranges are set, so the hover markers cannot widen them and shrink the tiles.
 */
interface Tiles {
  /** the heatmap's values, null in the one-pixel gaps between tiles */
  z: (number | null)[][];
  /** smallest and largest pixel value over all images */
  lo: number;
  hi: number;
  /** each tile's centre and hover label, for the invisible scatter trace */
  centers: { x: number[]; y: number[]; text: string[] };
}

/** The images laid out `perRow` to a grid row, a one-pixel gap between tiles. */
function tiles(images: ArrayLike<number>[], options: GridOptions, perRow: number, height: number, width: number): Tiles {
  const { rows, cols } = options;
  const z: (number | null)[][] = [];
  for (let r = 0; r < height; r++) z.push(new Array(width).fill(null));
  let lo = Infinity;
  let hi = -Infinity;
  const centers = { x: [] as number[], y: [] as number[], text: [] as string[] };
  images.forEach((img, k) => {
    if (img.length !== rows * cols) throw new Error(`image ${k} has ${img.length} values, expected ${rows * cols}`);
    const top = Math.floor(k / perRow) * (rows + 1);
    const left = (k % perRow) * (cols + 1);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = img[r * cols + c];
        z[top + r][left + c] = Math.round(v * 1e4) / 1e4;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    centers.x.push(left + (cols - 1) / 2);
    centers.y.push(top + (rows - 1) / 2);
    centers.text.push(options.labels?.[k] ?? `#${k}`);
  });
  return { z, lo, hi, centers };
}

/** The colour range: the options' or the images' min..max, symmetric around 0 when signed (a value below 0). */
function colourRange(options: GridOptions, lo: number, hi: number): { zmin: number; zmax: number; signed: boolean } {
  let zmin = options.zmin ?? lo;
  let zmax = options.zmax ?? hi;
  const signed = zmin < 0;
  if (signed) {
    const m = Math.max(Math.abs(zmin), Math.abs(zmax));
    [zmin, zmax] = [-m, m];
  }
  return { zmin, zmax, signed };
}

/** The y axis: hidden, or (with rowLabels) showing one label at the middle of each grid row. */
function gridYAxis(options: GridOptions, height: number, gridRows: number): Record<string, unknown> {
  const rows = options.rows;
  const rowCenters = Array.from({ length: gridRows }, (_, r) => r * (rows + 1) + (rows - 1) / 2);
  return options.rowLabels
    ? { range: [height - 0.5, -0.5], scaleanchor: 'x', constrain: 'domain', tickmode: 'array', tickvals: rowCenters,
      ticktext: options.rowLabels, ticks: '', ticklabelstandoff: 6, showgrid: false, zeroline: false, showline: false }
    : { visible: false, range: [height - 0.5, -0.5], scaleanchor: 'x', constrain: 'domain' };
}

/**
 * Many small images as one tiled heatmap (one trace, so 1000 tiles stay fast), with a
 * one-pixel gap between tiles. Each tile's label shows on hover through a second, invisible
 * scatter trace with one point per tile (per-pixel labels would make the page megabytes bigger).
 * The figure's size is fixed from the tiles (each at least MIN_TILE_PX on its smaller side), and
 * both axes' ranges are set, so the hover markers cannot widen them and shrink the tiles.
 */
export function imageGrid(images: ArrayLike<number>[], options: GridOptions): Figure {
  const { rows, cols } = options;
  const n = images.length;
  const perRow = options.perRow ?? Math.ceil(Math.sqrt(n));
  const gridRows = Math.ceil(n / perRow);
  if (options.rowLabels && options.rowLabels.length !== gridRows) {
    throw new Error(`GridOptions.rowLabels has ${options.rowLabels.length} labels, expected ${gridRows} (one per grid row: ${n} images, ${perRow} per row)`);
  }
  const height = gridRows * (rows + 1) - 1;
  const width = perRow * (cols + 1) - 1;
  const { z, lo, hi, centers } = tiles(images, options, perRow, height, width);
  const { zmin, zmax, signed } = colourRange(options, lo, hi);
  const colorscale = options.colorscale ?? (signed ? DIVERGING : 'Greys');
  const px = Math.max(MIN_TILE_PX / Math.min(rows, cols), Math.min(6, Math.floor(GRID_TARGET_WIDTH / width)));
  const longest = Math.max(0, ...(options.rowLabels ?? []).map((l) => l.length));
  const margin = { t: 50, r: signed ? COLORBAR_MARGIN : 20, b: 20, l: options.rowLabels ? 30 + LABEL_CHAR_PX * longest : 20 };
  return {
    data: [{
      type: 'heatmap',
      z,
      hoverinfo: 'skip',
      colorscale,
      reversescale: colorscale === 'Greys',
      zmin,
      zmax,
      showscale: signed,
      ...(signed ? { colorbar: { thickness: 14, outlinewidth: 0, x: 1, xanchor: 'left', xpad: 10 } } : {}),
    }, {
      type: 'scatter',
      mode: 'markers',
      x: centers.x,
      y: centers.y,
      text: centers.text,
      hovertemplate: '%{text}<extra></extra>',
      marker: { symbol: 'square', size: cols * px, opacity: 0 },
      showlegend: false,
    }],
    layout: {
      title: { text: options.title },
      width: Math.ceil(width * px) + margin.l + margin.r,
      height: Math.ceil(height * px) + margin.t + margin.b,
      margin,
      xaxis: { visible: false, constrain: 'domain', range: [-0.5, width - 0.5] },
      yaxis: gridYAxis(options, height, gridRows),
      plot_bgcolor: '#ffffff',
      hovermode: 'closest',
    },
  };
}

/**
 * Part 5: decoded features, one tile per unit; hover shows the unit's index and, when
 * given, its lifetime sparsity.
 */
export function featureGrid(images: ArrayLike<number>[], units: number[], lifetime?: ArrayLike<number>, title = 'Learned features (decoded one-hot codes)'): Figure {
  const labels = units.map((j) => (lifetime ? `unit ${j}, active on ${(100 * lifetime[j]).toFixed(1)}% of images` : `unit ${j}`));
  return imageGrid(images, { title, rows: 28, cols: 28, labels, perRow: Math.min(16, images.length) });
}

/** Originals (top row) above their reconstructions (bottom row). */
export function reconstructionGrid(originals: ArrayLike<number>[], reconstructions: ArrayLike<number>[], title = 'Originals (top) and reconstructions (bottom)'): Figure {
  const n = originals.length;
  const labels = [...originals.map((_, i) => `image ${i}: original`), ...reconstructions.map((_, i) => `image ${i}: reconstruction`)];
  return imageGrid([...originals, ...reconstructions], {
    title, rows: 28, cols: 28, perRow: n, labels, zmin: 0, zmax: 1, rowLabels: ['original', 'reconstruction'],
  });
}
