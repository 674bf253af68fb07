import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.node/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Untrusted YAML must go through `yaml` (alias limits); js-yaml is never imported by our code.
      'no-restricted-imports': ['error', { paths: [{ name: 'js-yaml', message: 'use the yaml package (alias limits)' }] }],
    },
  },
);
