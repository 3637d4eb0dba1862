// web-tree-sitter's CommonJS build, by the package's own name: a `require` gets the package's
// "require" export. Its ES module build loads Node's `module` through a dynamic import that ncc's
// bundle cannot satisfy (`createRequire is not a function`) and makes webpack emit a second,
// hash-named copy of the runtime WASM; this file is bundled by ncc like any other module.
'use strict';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the point of this file
const { Language, Parser } = require('web-tree-sitter');

exports.Language = Language;
exports.Parser = Parser;
