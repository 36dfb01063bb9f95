//! Tests of the lexer and the parser.
