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
    files: ['src/artifacts/**', 'src/formats/**', 'src/evidence/**', 'src/indicators/**', 'src/rules/**', 'src/report/**', 'src/findings/**', 'src/detection/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/cli/**', '**/app/**'], message: 'Only app/ composes; cli/ draws. Lower layers never import them.' }] }],
    },
  },
  {
    files: ['src/artifacts/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/cli/**', '**/app/**', '**/indicators/**', '**/report/**', '**/detection/**'], message: 'Artifact parsers only read: no matching, no alerts, no output.' }] }],
    },
  },
  {
    // Detection is a pure step over data: it never opens evidence or writes output, so a re-check of stored
    // observables can run it without a Source.
    files: ['src/detection/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/cli/**', '**/app/**', '**/report/**'], message: 'Detection feeds outputs; it never writes them.' },
            { group: ['**/evidence/*', '!**/evidence/source.js'], message: 'Detection works on data (records, observables, refs), never on a Source.' },
          ],
        },
      ],
    },
  },
  {
    // Matching, rules and findings are what detection is built from: they never call back into it.
    files: ['src/indicators/**', 'src/rules/**', 'src/findings/**', 'src/report/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/cli/**', '**/app/**', '**/detection/**'], message: 'Only app/ runs detection; lower layers never import it.' }] }],
    },
  },
  {
    files: ['bin/*.js', 'eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { process: 'readonly' } },
  },
);
