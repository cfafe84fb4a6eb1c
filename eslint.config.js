import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      // Sources implement an async interface; some answers need no await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Layering (DESIGN.md): parsers only read; nothing below app/ may reach into the composition root or the CLI.
    files: ['src/artifacts/**', 'src/formats/**', 'src/evidence/**', 'src/indicators/**', 'src/rules/**', 'src/report/**', 'src/findings/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/cli/**', '**/app/**'], message: 'Only app/ composes; cli/ draws. Lower layers never import them.' }] }],
    },
  },
  {
    files: ['src/artifacts/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/cli/**', '**/app/**', '**/indicators/**', '**/report/**'], message: 'Artifact parsers only read: no matching, no alerts, no output.' }] }],
    },
  },
  {
    files: ['bin/*.js', 'eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { process: 'readonly' } },
  },
);
