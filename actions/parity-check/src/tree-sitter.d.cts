// Types of tree-sitter.cjs: the package's own declarations.
export { Language, Parser } from 'web-tree-sitter';
