import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataFileError } from '../../bot/domain/eligibility';
import { parseProductNames, productName } from '../../bot/domain/products';
import { SKUS } from '../../local/tenant/catalog';

const shipped: unknown = JSON.parse(readFileSync(join(__dirname, '../../bot/data/products.json'), 'utf8'));
const names = parseProductNames(shipped);

describe('licence names (products.json)', () => {
  it('names the licences as the admin center does', () => {
    assert.equal(productName(names, 'SPE_E3'), 'Microsoft 365 E3');
    assert.equal(productName(names, 'ENTERPRISEPACK'), 'Office 365 E3');
    assert.equal(productName(names, 'POWER_BI_STANDARD'), 'Microsoft Fabric (Free)');
    assert.equal(productName(names, 'Microsoft_365_E3_(no_Teams)'), 'Microsoft 365 E3 (no Teams)');
  });

  it('names every SKU the local tenant seeds', () => {
    for (const partNumber of Object.keys(SKUS)) assert.ok(productName(names, partNumber), `${partNumber} has no name`);
  });

  it('knows nothing of a part number it does not list, even one named like an object property', () => {
    for (const partNumber of ['CONTOSO_CUSTOM', 'spe_e3', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '']) {
      assert.equal(productName(names, partNumber), undefined, partNumber);
    }
  });

  const valid = { source: 'https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference', products: [{ partNumber: 'SPE_E3', name: 'Microsoft 365 E3' }] };
  const withProducts = (...products: unknown[]) => ({ ...valid, products });
  const broken: [string, unknown, RegExp][] = [
    ['an empty name', withProducts({ partNumber: 'SPE_E3', name: '  ' }), /products\[0\]\.name must not be empty/],
    ['a name that is not text', withProducts({ partNumber: 'SPE_E3', name: 3 }), /products\[0\]\.name must be a string/],
    ['a part number that is not one', withProducts({ partNumber: 'SPE E3!', name: 'x' }), /products\[0\]\.partNumber must be a part number/],
    ['a __proto__ part number', withProducts({ partNumber: '__proto__', name: 'x' }), /products\[0\]\.partNumber must be a part number/],
    ['a part number listed twice', withProducts({ partNumber: 'SPE_E3', name: 'a' }, { partNumber: 'spe_e3', name: 'b' }), /products\[1\]\.partNumber "spe_e3" is listed twice \(also at products\[0\]\)/],
    ['no products', withProducts(), /products must list at least 1/],
    ['no source', { products: valid.products }, /source is required/],
    ['a misspelt key', withProducts({ partNumber: 'SPE_E3', nmae: 'x' }), /products\[0\] has unknown key "nmae"/],
  ];
  for (const [what, json, message] of broken) {
    it(`refuses ${what} at start-up, naming the path`, () => {
      assert.throws(() => parseProductNames(json), (e: unknown) => e instanceof DataFileError && message.test(e.message) && e.message.startsWith('products.json: '));
    });
  }
});
