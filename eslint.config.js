import oclif from 'eslint-config-oclif'

export default [
  {ignores: ['dist/', 'node_modules/', 'plugins/*/node_modules/', 'plugins/*/dist/', 'tmp/']},
  ...oclif,
  {
    // bin/ is published (package.json "files"); the rule misreads the leading slash.
    files: ['bin/**'],
    rules: {'n/no-unpublished-bin': 'off'},
  },
  {
    rules: {
      '@stylistic/indent': ['error', 2, {SwitchCase: 1}],
      // This rule wants tabs inside multi-line union types; the 2-space indent rule covers layout.
      '@stylistic/indent-binary-ops': 'off',
      '@stylistic/operator-linebreak': 'off',
      // Errors and control flow here are deliberate and documented where they are used.
      'no-await-in-loop': 'off',
      // Device numbers, open(2) flags and lock types are bit fields.
      'no-bitwise': 'off',
      // Python's whitespace and line-break sets include control characters, on purpose.
      'no-control-regex': 'off',
      // Cases are ordered by meaning (and grouped), not alphabetically.
      'perfectionist/sort-switch-case': 'off',
      'unicorn/no-process-exit': 'off',
      'unicorn/prefer-top-level-await': 'off',
    },
  },
  {
    // The layers (README, "Architecture"): commands -> cli -> core, extensions beside. src/core
    // imports no command, cli or extension module; extensions import no command or cli module.
    files: ['src/**/*.ts'],
    rules: {
      'import/no-restricted-paths': ['error', {
        zones: [
          {
            from: ['./src/cli', './src/commands', './src/extensions', './src/hooks', './src/prompts', './src/writers', './src/index.ts'],
            message: 'src/core imports no command, cli or extension module: pass what it needs in (ports, deps)',
            target: './src/core',
          },
          {
            from: ['./src/cli', './src/commands'],
            message: 'extension modules import no command or cli module',
            target: ['./src/extensions', './src/hooks', './src/prompts', './src/writers'],
          },
          {from: './src/commands', message: 'cli modules import no command', target: './src/cli'},
        ],
      }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {'no-restricted-imports': ['error', {patterns: [{group: ['@oclif/*'], message: 'src/core never imports oclif'}]}]},
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {globals: {module: 'writable', require: 'readonly'}, sourceType: 'commonjs'},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
  {
    // Helpers for the tests, one of which registers per-test hooks for the suite that calls it.
    files: ['test/support/**'],
    rules: {'mocha/no-exports': 'off', 'mocha/no-sibling-hooks': 'off', 'mocha/no-top-level-hooks': 'off'},
  },
  {
    files: ['test/**', 'plugins/*/test/**'],
    rules: {
      // Tests name AWS's own keys (aws_access_key_id, ...) as botocore returns them.
      camelcase: 'off',
      // A test file may hold a few related suites.
      'mocha/max-top-level-suites': 'off',
      'unicorn/consistent-function-scoping': 'off',
    },
  },
]
