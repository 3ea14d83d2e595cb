/**
 * Licence names as admins know them. Graph's `subscribedSku` carries only the part number
 * (`SPE_E3`); the Microsoft 365 admin center shows the product name ("Microsoft 365 E3"). The map
 * between them is data (`bot/data/products.json`), taken from Microsoft's "Product names and
 * service plan identifiers for licensing" reference, validated at start-up by `parseProductNames`.
 * A part number the file does not know is shown as it is.
 */
import { z } from 'zod';
import { validateDataFile, type DataFileProblem } from './eligibility';

const FILE = 'products.json';

/** skuPartNumber → product name. A Map, so no part number (`__proto__`, `constructor`) can reach an object prototype. */
export type ProductNames = ReadonlyMap<string, string>;

// Part numbers are Graph's `skuPartNumber`: letters, digits and `_`, some with `(`, `)`, `.`, `-`,
// `/` or spaces (`Microsoft_365_E3_(no_Teams)`, `O365_w/o Teams Bundle_M3`).
const PART_NUMBER = /^[A-Za-z0-9][\w()./ -]*$/;

const fileSchema = z.strictObject({
  $comment: z.union([z.string(), z.array(z.string())]).optional(),
  source: z.string().trim().min(1),
  products: z
    .array(
      z.strictObject({
        partNumber: z.string().max(100).regex(PART_NUMBER, { error: 'must be a part number (letters, digits, _ ( ) . / - and spaces)' }),
        name: z.string().trim().min(1).max(200),
      }),
    )
    .min(1),
});

type ProductsFile = z.infer<typeof fileSchema>;

/** Graph compares part numbers exactly, but two entries differing only in case would be a typo. */
function crossCheck(file: ProductsFile): DataFileProblem[] {
  const first = new Map<string, number>();
  const problems: DataFileProblem[] = [];
  file.products.forEach(({ partNumber }, i) => {
    const seen = first.get(partNumber.toUpperCase());
    if (seen === undefined) first.set(partNumber.toUpperCase(), i);
    else problems.push({ path: `products[${i}].partNumber`, message: `${JSON.stringify(partNumber)} is listed twice (also at products[${seen}]): each part number may appear once` });
  });
  return problems;
}

/**
 * Validates the product names (the parsed JSON of `products.json`): `{ source, products: [{ partNumber, name }] }`.
 * @throws DataFileError naming every problem, e.g. `products.json: products[3].name must not be empty`.
 */
export function parseProductNames(json: unknown): ProductNames {
  const file = validateDataFile(FILE, fileSchema, json, crossCheck);
  return new Map(file.products.map((p) => [p.partNumber, p.name]));
}

/** The product name of a part number, or undefined when the data does not know it. */
export function productName(names: ProductNames, partNumber: string): string | undefined {
  return names.get(partNumber);
}
