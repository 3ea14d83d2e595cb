/**
 * Draws the app icons and writes appPackage/color.png and appPackage/outline.png.
 * Run after changing the drawing: `node --import tsx appPackage/generateIcons.ts`, then commit the PNGs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/** An image as straight (not premultiplied) RGBA bytes, row by row. */
export interface RgbaImage {
  width: number;
  height: number;
  /** width × height × 4 bytes: r, g, b, a. */
  data: Uint8Array;
}

/** The manifest's accentColor and the color icon's background. */
export const ACCENT_COLOR = '#0F6CBD';

/** Pixel sizes Teams requires. */
export const COLOR_ICON_SIZE = 192;
export const OUTLINE_ICON_SIZE = 32;

type Point = readonly [number, number];

/** Samples per pixel along each axis, for anti-aliased edges. */
const SUPERSAMPLE = 4;

function distanceToSegment([px, py]: Point, [ax, ay]: Point, [bx, by]: Point): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** A "fast-forward" double chevron in unit coordinates: `left`, `width` and `height` place it. */
function chevronPaths(left: number, top: number, width: number, height: number): Point[][] {
  const arm = width * 0.42; // horizontal reach of one chevron
  const gap = width - 2 * arm; // the second chevron starts this far after the first ends
  const mid = top + height / 2;
  return [0, arm + gap].map((dx) => [
    [left + dx, top],
    [left + dx + arm, mid],
    [left + dx, top + height],
  ]);
}

function inStroke(p: Point, paths: Point[][], halfWidth: number): boolean {
  return paths.some((path) =>
    path.slice(1).some((b, i) => distanceToSegment(p, path[i]!, b) <= halfWidth),
  );
}

function inRoundedSquare([x, y]: Point, radius: number): boolean {
  // Unit square with corners rounded by `radius`.
  const cx = Math.min(Math.max(x, radius), 1 - radius);
  const cy = Math.min(Math.max(y, radius), 1 - radius);
  return x >= 0 && x <= 1 && y >= 0 && y <= 1 && Math.hypot(x - cx, y - cy) <= radius;
}

/** Renders `paint` (unit coordinates → straight RGBA or undefined for transparent) with supersampling. */
function render(size: number, paint: (p: Point) => readonly [number, number, number] | undefined): RgbaImage {
  const data = new Uint8Array(size * size * 4);
  const samples = SUPERSAMPLE * SUPERSAMPLE;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let covered = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const colour = paint([(x + (sx + 0.5) / SUPERSAMPLE) / size, (y + (sy + 0.5) / SUPERSAMPLE) / size]);
          if (!colour) continue;
          r += colour[0];
          g += colour[1];
          b += colour[2];
          covered++;
        }
      }
      const i = (y * size + x) * 4;
      if (covered === 0) continue; // fully transparent: 0,0,0,0
      data[i] = Math.round(r / covered);
      data[i + 1] = Math.round(g / covered);
      data[i + 2] = Math.round(b / covered);
      data[i + 3] = Math.round((255 * covered) / samples);
    }
  }
  return { width: size, height: size, data };
}

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

const WHITE = [255, 255, 255] as const;

/** 192×192: a rounded square in the accent colour with a white double chevron. */
export function drawColorIcon(): RgbaImage {
  const accent = hexToRgb(ACCENT_COLOR);
  const chevrons = chevronPaths(0.27, 0.3, 0.46, 0.4);
  return render(COLOR_ICON_SIZE, (p) => {
    if (!inRoundedSquare(p, 0.2)) return undefined;
    return inStroke(p, chevrons, 0.05) ? WHITE : accent;
  });
}

/** 32×32: the same double chevron in white on a fully transparent background. */
export function drawOutlineIcon(): RgbaImage {
  const chevrons = chevronPaths(0.16, 0.2, 0.68, 0.6);
  return render(OUTLINE_ICON_SIZE, (p) => (inStroke(p, chevrons, 0.07) ? WHITE : undefined));
}

/**
 * Encodes an icon as an 8-bit RGBA PNG (colour type 6, filter "None" on every row, deflate level 9),
 * the settings the committed icons were written with.
 */
export function encodeIcon(image: RgbaImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height, colorType: 6, inputColorType: 6, bitDepth: 8 });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { colorType: 6, inputColorType: 6, bitDepth: 8, filterType: 0, deflateLevel: 9, deflateStrategy: 0 });
}

if (require.main === module) {
  for (const [file, image] of [
    ['color.png', drawColorIcon()],
    ['outline.png', drawOutlineIcon()],
  ] as const) {
    const path = join(__dirname, file);
    writeFileSync(path, encodeIcon(image));
    console.log(`wrote ${path} (${image.width}×${image.height})`);
  }
}
