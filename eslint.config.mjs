// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', '.tmp/', 'devTools/', 'appPackage/build/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Requiring package.json and the adaptivecards bundle is deliberate (CommonJS project).
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['bot/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/test/**'], message: 'bot/ never imports test/' },
        { group: ['**/local/**', 'azurite', 'azurite/*', 'tsx', 'tsx/*', '@microsoft/m365agentsplayground'], message: 'bot/ is what ships: the local world reaches it only through the LocalWorld seam (bot/localWorld.ts)' },
      ] }],
    },
  },
  {
    files: ['bot/**/*.ts'],
    rules: {
      // A separate rule from no-restricted-imports, so the folder blocks below do not replace it.
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ name: 'botbuilder-dialogs', allowTypeImports: true, message: "import dialog classes from bot/dialogs/botbuilderDialogs.ts: the package's index loads every prompt and the Recognizers-Text suite (~17 MB per instance)" }] }],
    },
  },
  {
    files: ['bot/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../*', '!../domain/*', 'botbuilder*', '@azure/*', '@microsoft/*', 'restify', 'node:fs', 'node:http'], message: 'domain/ is pure: it imports only other domain/ files' }] }],
    },
  },
  {
    files: ['bot/dialogs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@microsoft/microsoft-graph-client', '@azure/storage-*', 'botbuilder-azure-blobs', 'restify'], message: 'dialogs depend on interfaces, not SDK clients' }] }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },
);
