//! The lexer: JavaScript source text into tokens, each with where it
//! starts and ends and whether a line break comes before it (what
//! automatic semicolon insertion needs).
//!
//! Template literals are read whole here: the parser gets the text parts
//! and the tokens of each `${…}`. Regular expression literals are found
//! (where a `/` cannot be a division) and refused.

use super::{Pos, error_at, not_supported};
use crate::error::ScenarioError;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    Num(f64),
    Str(String),
    /// A template literal: its text parts (cooked) and, between them, the
    /// tokens of each substitution. `parts.len() == subs.len() + 1`.
    Template {
        parts: Vec<String>,
        subs: Vec<Vec<Token>>,
    },
    /// Punctuation and operators, as written: `(`, `=>`, `?.`, `>>>=`.
    Punct(&'static str),
    Eof,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub start: Pos,
    pub end: Pos,
    /// A line break (or a comment holding one) comes before this token.
    pub newline_before: bool,
}

/// Longest first, so that `>>>=` wins over `>>>` and `>>`.
const PUNCTS: [&str; 54] = [
    ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=", "=>", "==", "!=",
    "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
    "**", "<<", ">>", "{", "}", "(", ")", "[", "]", ";", ",", "<", ">", "+", "-", "*", "/", "%",
    "&", "|", "^", "!", "~", "?",
];
const SINGLE: [&str; 3] = [":", "=", "."];

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    at: usize,
    line: u32,
    column: u32,
}

/// Reads the whole text; the last token is [`Tok::Eof`].
pub fn tokenize(src: &str) -> Result<Vec<Token>, ScenarioError> {
    let mut lexer = Lexer {
        src,
        bytes: src.as_bytes(),
        at: 0,
        line: 1,
        column: 1,
    };
    let tokens = lexer.tokens(None)?;
    Ok(tokens)
}

impl<'a> Lexer<'a> {
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.column,
        }
    }

    fn peek(&self) -> Option<char> {
        self.src[self.at..].chars().next()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.at + offset).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    /// Tokens up to the end of the text or, inside the `${` at
    /// `in_template`, up to the `}` that closes it.
    fn tokens(&mut self, in_template: Option<Pos>) -> Result<Vec<Token>, ScenarioError> {
        let mut out: Vec<Token> = Vec::new();
        let mut depth = 0usize;
        loop {
            let newline_before = self.skip_space_and_comments()?;
            let start = self.pos();
            let Some(c) = self.peek() else {
                if let Some(open) = in_template {
                    return Err(error_at(open, "this `${` has no closing `}`"));
                }
                out.push(Token {
                    tok: Tok::Eof,
                    start,
                    end: start,
                    newline_before: true,
                });
                return Ok(out);
            };
            if in_template.is_some() && c == '}' && depth == 0 {
                self.bump();
                return Ok(out);
            }
            let tok = if c.is_ascii_digit()
                || (c == '.' && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()))
            {
                self.number(start)?
            } else if c == '"' || c == '\'' {
                self.string(c, start)?
            } else if c == '`' {
                self.template(start)?
            } else if is_ident_start(c) {
                let word = self.identifier();
                Tok::Ident(word)
            } else if c == '#' {
                return Err(not_supported(start, "private names (`#`)"));
            } else if c == '/' && regex_allowed(out.last()) {
                return Err(not_supported(start, "regular expressions")
                    .with_hint("use string methods such as includes, startsWith or split"));
            } else {
                let punct = self.punct(start)?;
                match punct {
                    "{" | "(" | "[" => depth += 1,
                    "}" | ")" | "]" => depth = depth.saturating_sub(1),
                    _ => {}
                }
                Tok::Punct(punct)
            };
            out.push(Token {
                tok,
                start,
                end: self.pos(),
                newline_before,
            });
        }
    }

    /// Skips white space and comments; says whether a line break was in them.
    fn skip_space_and_comments(&mut self) -> Result<bool, ScenarioError> {
        let mut newline = false;
        loop {
            match self.peek() {
                Some('\n') | Some('\u{2028}') | Some('\u{2029}') => {
                    newline = true;
                    self.bump();
                }
                Some(c) if c.is_whitespace() || c == '\u{feff}' => {
                    self.bump();
                }
                Some('/') if self.peek_at(1) == Some(b'/') => {
                    while let Some(c) = self.peek() {
                        if c == '\n' {
                            break;
                        }
                        self.bump();
                    }
                }
                Some('/') if self.peek_at(1) == Some(b'*') => {
                    let start = self.pos();
                    self.bump();
                    self.bump();
                    loop {
                        match self.bump() {
                            None => {
                                return Err(error_at(start, "this comment has no closing `*/`"));
                            }
                            Some('\n') => newline = true,
                            Some('*') if self.peek() == Some('/') => {
                                self.bump();
                                break;
                            }
                            Some(_) => {}
                        }
                    }
                }
                _ => return Ok(newline),
            }
        }
    }

    fn identifier(&mut self) -> String {
        let from = self.at;
        while let Some(c) = self.peek() {
            if is_ident_part(c) {
                self.bump();
            } else {
                break;
            }
        }
        self.src[from..self.at].to_owned()
    }

    fn number(&mut self, start: Pos) -> Result<Tok, ScenarioError> {
        let from = self.at;
        if self.peek() == Some('0') {
            let radix = match self.peek_at(1) {
                Some(b'x' | b'X') => Some(16),
                Some(b'o' | b'O') => Some(8),
                Some(b'b' | b'B') => Some(2),
                _ => None,
            };
            if let Some(radix) = radix {
                self.bump();
                self.bump();
                let digits_from = self.at;
                while self.peek().is_some_and(|c| c.is_digit(radix) || c == '_') {
                    self.bump();
                }
                let digits: String = self.src[digits_from..self.at]
                    .chars()
                    .filter(|&c| c != '_')
                    .collect();
                if digits.is_empty() {
                    return Err(error_at(start, "a number needs digits after its prefix"));
                }
                let mut value = 0f64;
                for c in digits.chars() {
                    value = value * radix as f64 + c.to_digit(radix).unwrap_or(0) as f64;
                }
                self.no_ident_right_after(start)?;
                return Ok(Tok::Num(value));
            }
        }
        let digits = |lexer: &mut Self| {
            while lexer.peek().is_some_and(|c| c.is_ascii_digit() || c == '_') {
                lexer.bump();
            }
        };
        digits(self);
        if self.peek() == Some('.') {
            self.bump();
            digits(self);
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let sign = matches!(self.peek_at(1), Some(b'+' | b'-'));
            let digit_at = if sign { 2 } else { 1 };
            if self.peek_at(digit_at).is_some_and(|b| b.is_ascii_digit()) {
                self.bump();
                if sign {
                    self.bump();
                }
                digits(self);
            }
        }
        if self.peek() == Some('n') {
            return Err(not_supported(start, "BigInt numbers (`123n`)"));
        }
        self.no_ident_right_after(start)?;
        let text: String = self.src[from..self.at]
            .chars()
            .filter(|&c| c != '_')
            .collect();
        if text.len() > 1 && text.starts_with('0') && text.as_bytes()[1].is_ascii_digit() {
            return Err(
                not_supported(start, "numbers with a leading zero (old octal)")
                    .with_hint("write it without the leading 0"),
            );
        }
        text.parse::<f64>()
            .map(Tok::Num)
            .map_err(|_| error_at(start, format!("`{text}` is not a number")))
    }

    fn no_ident_right_after(&self, start: Pos) -> Result<(), ScenarioError> {
        match self.peek() {
            Some(c) if is_ident_start(c) || c.is_ascii_digit() => {
                Err(error_at(start, "a number cannot run straight into a name"))
            }
            _ => Ok(()),
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), ScenarioError> {
        let at = self.pos();
        let Some(c) = self.bump() else {
            return Err(error_at(at, "the text ends inside an escape"));
        };
        match c {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            '0' if !self.peek().is_some_and(|c| c.is_ascii_digit()) => out.push('\0'),
            '\n' => {}
            '\r' => {
                if self.peek() == Some('\n') {
                    self.bump();
                }
            }
            'x' => {
                let code = self.hex_digits(2, at)?;
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            'u' => {
                let code = if self.peek() == Some('{') {
                    self.bump();
                    let from = self.at;
                    while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                        self.bump();
                    }
                    let digits = &self.src[from..self.at];
                    if self.bump() != Some('}') || digits.is_empty() || digits.len() > 6 {
                        return Err(error_at(at, "`\\u{…}` needs 1 to 6 hex digits and a `}`"));
                    }
                    u32::from_str_radix(digits, 16).unwrap_or(u32::MAX)
                } else {
                    let code = self.hex_digits(4, at)?;
                    if (0xd800..0xdc00).contains(&code) && self.src[self.at..].starts_with("\\u") {
                        // A surrogate pair written as two escapes.
                        let save = (self.at, self.line, self.column);
                        self.bump();
                        self.bump();
                        let low = self.hex_digits(4, at)?;
                        if (0xdc00..0xe000).contains(&low) {
                            0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
                        } else {
                            (self.at, self.line, self.column) = save;
                            code
                        }
                    } else {
                        code
                    }
                };
                match char::from_u32(code) {
                    Some(c) => out.push(c),
                    None => {
                        return Err(not_supported(at, "lone surrogates in strings")
                            .with_hint("write a whole character"));
                    }
                }
            }
            c if c.is_ascii_digit() => {
                return Err(not_supported(at, "octal escapes in strings"));
            }
            other => out.push(other),
        }
        Ok(())
    }

    fn hex_digits(&mut self, n: usize, at: Pos) -> Result<u32, ScenarioError> {
        let mut code = 0u32;
        for _ in 0..n {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    code = code * 16 + d;
                    self.bump();
                }
                None => return Err(error_at(at, format!("this escape needs {n} hex digits"))),
            }
        }
        Ok(code)
    }

    fn string(&mut self, quote: char, start: Pos) -> Result<Tok, ScenarioError> {
        self.bump();
        let mut out = String::new();
        loop {
            match self.peek() {
                None | Some('\n') => {
                    return Err(error_at(start, "this string has no closing quote")
                        .with_hint(format!("end it with {quote} on the same line")));
                }
                Some('\\') => {
                    self.bump();
                    self.escape(&mut out)?;
                }
                Some(c) if c == quote => {
                    self.bump();
                    return Ok(Tok::Str(out));
                }
                Some(c) => {
                    out.push(c);
                    self.bump();
                }
            }
        }
    }

    fn template(&mut self, start: Pos) -> Result<Tok, ScenarioError> {
        self.bump();
        let mut parts = Vec::new();
        let mut subs = Vec::new();
        let mut text = String::new();
        loop {
            match self.peek() {
                None => return Err(error_at(start, "this template literal has no closing `")),
                Some('\\') => {
                    self.bump();
                    self.escape(&mut text)?;
                }
                Some('`') => {
                    self.bump();
                    parts.push(text);
                    return Ok(Tok::Template { parts, subs });
                }
                Some('$') if self.peek_at(1) == Some(b'{') => {
                    let open = self.pos();
                    self.bump();
                    self.bump();
                    parts.push(std::mem::take(&mut text));
                    let mut tokens = self.tokens(Some(open))?;
                    let end = self.pos();
                    tokens.push(Token {
                        tok: Tok::Eof,
                        start: end,
                        end,
                        newline_before: false,
                    });
                    subs.push(tokens);
                }
                Some('\r') => {
                    // Template text reads a CR LF or a CR as one LF.
                    self.bump();
                    if self.peek() == Some('\n') {
                        self.bump();
                    }
                    text.push('\n');
                }
                Some(c) => {
                    text.push(c);
                    self.bump();
                }
            }
        }
    }

    fn punct(&mut self, start: Pos) -> Result<&'static str, ScenarioError> {
        let rest = &self.src[self.at..];
        // `?.` followed by a digit is `?` then a number (`a ?.5 : b`).
        for p in PUNCTS.iter().chain(SINGLE.iter()) {
            if rest.starts_with(p) {
                if *p == "?." && rest.as_bytes().get(2).is_some_and(|b| b.is_ascii_digit()) {
                    continue;
                }
                for _ in 0..p.len() {
                    self.bump();
                }
                return Ok(p);
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        if c == '@' {
            return Err(not_supported(start, "decorators (`@`)"));
        }
        // Control and invisible characters are named by their code.
        let shown = if c.is_control() || c.is_whitespace() {
            format!("U+{:04X}", c as u32)
        } else {
            format!("`{c}`")
        };
        Err(error_at(start, format!("unexpected character {shown}")))
    }
}

fn is_ident_start(c: char) -> bool {
    c == '$' || c == '_' || c.is_alphabetic()
}

fn is_ident_part(c: char) -> bool {
    c == '$' || c == '_' || c.is_alphanumeric() || c == '\u{200c}' || c == '\u{200d}'
}

/// Whether a `/` after `previous` starts a regular expression (it cannot
/// be a division there).
fn regex_allowed(previous: Option<&Token>) -> bool {
    match previous.map(|t| &t.tok) {
        None => true,
        Some(Tok::Num(_) | Tok::Str(_) | Tok::Template { .. }) => false,
        Some(Tok::Ident(word)) => matches!(
            word.as_str(),
            "return"
                | "typeof"
                | "instanceof"
                | "in"
                | "of"
                | "new"
                | "delete"
                | "void"
                | "throw"
                | "case"
                | "do"
                | "else"
                | "await"
                | "yield"
        ),
        Some(Tok::Punct(p)) => !matches!(*p, ")" | "]" | "}" | "++" | "--"),
        Some(Tok::Eof) => true,
    }
}
