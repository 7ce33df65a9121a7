import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-action/', 'node_modules/', 'coverage/', 'reports/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  { files: ['bench/**', 'scripts/**', 'src/sandbox/**/fixtures/**'], rules: { 'no-console': 'off' } },
  {
    // The bin and what is injected into the CommonJS bundle: CommonJS, run by node as they are.
    files: ['scripts/bin.cjs', 'scripts/cjs-import-meta.mjs'],
    languageOptions: {
      globals: { require: 'readonly', process: 'readonly', __dirname: 'readonly', __filename: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
