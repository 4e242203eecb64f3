import oclif from 'eslint-config-oclif'

export default [
  {ignores: ['dist/', 'node_modules/', 'packages/*/dist/', 'packages/*/node_modules/', 'plugins/*/node_modules/', 'plugins/*/dist/', 'tmp/']},
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
    // The bottom layer: @mfa-creds/sdk (packages/sdk), what plugins depend on at run time. It
    // imports nothing of the CLI and no package at all (n/no-extraneous-import holds it to its
    // package.json, which has no dependencies), only Node's own modules.
    files: ['packages/sdk/**/*.ts'],
    rules: {
      'import/no-restricted-paths': ['error', {
        zones: [{from: ['./src', './plugins', './test', './bin'], message: 'the sdk is the bottom layer: it imports nothing of the CLI', target: './packages/sdk'}],
      }],
      'no-restricted-imports': ['error', {patterns: [{message: 'the sdk has no dependencies: Node\'s own modules (node:...) and its own files only', regex: String.raw`^(?!node:|\.\.?/)`}]}],
    },
  },
  {
    // The layers (README, "Architecture"): commands -> cli -> core, extensions beside, all over
    // the sdk. src/core imports no command, cli or extension module (the sdk's types it may);
    // extensions import no command or cli module.
    files: ['src/**/*.ts'],
    rules: {
      'import/no-restricted-paths': ['error', {
        zones: [
          {
            from: ['./src/cli', './src/commands', './src/extensions', './src/hooks', './src/prompts', './src/sources', './src/writers', './src/index.ts'],
            message: 'src/core imports no command, cli or extension module: pass what it needs in (ports, deps)',
            target: './src/core',
          },
          {
            from: ['./src/cli', './src/commands'],
            message: 'extension modules import no command or cli module',
            target: ['./src/extensions', './src/hooks', './src/prompts', './src/sources', './src/writers'],
          },
          {from: './src/commands', message: 'cli modules import no command', target: './src/cli'},
          {from: ['./src/commands', './src/hooks'], message: 'the fast entry runs the actions (src/cli/actions), never an oclif command', target: './src/fast'},
          // The core's rooms (README, "Architecture"): from the room that uses to the room that serves.
          {
            from: ['./src/core/aws', './src/core/files', './src/core/keys', './src/core/os', './src/core/refresh', './src/core/state'],
            message: 'core/ini is the bottom room: the INI model imports no other room',
            target: './src/core/ini',
          },
          {
            from: ['./src/core/aws', './src/core/ini', './src/core/keys', './src/core/os', './src/core/refresh', './src/core/state'],
            message: 'core/files (the file and lock protocol) imports no other room',
            target: './src/core/files',
          },
          {from: ['./src/core/keys', './src/core/os', './src/core/refresh', './src/core/state'], message: 'core/aws imports neither keys, refresh, state nor os', target: './src/core/aws'},
          {from: ['./src/core/keys', './src/core/os', './src/core/state'], message: 'core/refresh imports neither keys, state nor os', target: './src/core/refresh'},
          {from: ['./src/core/keys', './src/core/os', './src/core/refresh'], message: 'core/state reads what refresh writes; it imports neither keys, refresh nor os', target: './src/core/state'},
          {from: ['./src/core/keys'], message: 'core/os imports no keys', target: './src/core/os'},
          {from: ['./src/core/os', './src/core/state'], message: 'core/keys (the keys commands) uses aws, files, ini and refresh; neither state nor os', target: './src/core/keys'},
          {
            from: ['./src/core/aws', './src/core/files', './src/core/ini', './src/core/keys', './src/core/os', './src/core/refresh', './src/core/state'],
            message: 'core/errors.ts and core/time.ts serve every room and import none',
            target: ['./src/core/errors.ts', './src/core/time.ts'],
          },
        ],
      }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {'no-restricted-imports': ['error', {patterns: [{group: ['@oclif/*'], message: 'src/core never imports oclif'}]}]},
  },
  {
    // What the fast entry runs answers without oclif: its types at most (scripts/build-fast.mjs
    // also refuses a bundle that imports it).
    files: ['src/fast/**/*.ts', 'src/cli/actions/**/*.ts', 'src/cli/command-io.ts', 'src/cli/ports.ts', 'src/cli/notify.ts', 'src/cli/render*.ts', 'src/extensions/**/*.ts'],
    rules: {'@typescript-eslint/no-restricted-imports': ['error', {patterns: [{allowTypeImports: true, group: ['@oclif/*'], message: 'the fast entry runs this without oclif: import its types only'}]}]},
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
