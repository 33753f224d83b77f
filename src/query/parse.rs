//! The query grammar: tokens with their columns, and a recursive-descent
//! parser into [`Expr`].
//!
//! ```text
//! query   = or
//! or      = and *("OR" and)
//! and     = unary *(["AND"] unary)          ; juxtaposition is AND
//! unary   = ("-" / "NOT") unary / primary
//! primary = "(" or ")" / term
//! term    = [field ":"] value               ; value: word or "quoted phrase"
//! ```

use super::{Expr, QueryError, Term};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Or,
    And,
    Not,
    /// `field:value` or a bare value; `quoted` when the value was in quotes.
    Word {
        field: Option<String>,
        value: String,
        quoted: bool,
    },
}

/// A token and its 1-based column (in characters).
#[derive(Debug, Clone)]
struct Spanned {
    tok: Tok,
    col: usize,
}

fn err(col: usize, message: impl Into<String>) -> QueryError {
    QueryError {
        column: col,
        message: message.into(),
    }
}

fn lex(q: &str) -> Result<Vec<Spanned>, QueryError> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '(' {
            out.push(Spanned {
                tok: Tok::Open,
                col,
            });
            i += 1;
            continue;
        }
        if c == ')' {
            out.push(Spanned {
                tok: Tok::Close,
                col,
            });
            i += 1;
            continue;
        }
        // `-` directly before a term or `(` negates it.
        if c == '-' && chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) {
            out.push(Spanned { tok: Tok::Not, col });
            i += 1;
            continue;
        }
        // A word: up to whitespace or `)`; `field:"a phrase"` and `"a phrase"`.
        let mut field = None;
        let mut value = String::new();
        let mut quoted = false;
        let mut j = i;
        while j < chars.len() && !chars[j].is_whitespace() && chars[j] != ')' && chars[j] != '(' {
            let d = chars[j];
            if d == ':' && field.is_none() && !quoted && !value.is_empty() {
                field = Some(std::mem::take(&mut value));
                j += 1;
                continue;
            }
            if d == '"' && value.is_empty() && !quoted {
                let start = j;
                j += 1;
                while j < chars.len() && chars[j] != '"' {
                    value.push(chars[j]);
                    j += 1;
                }
                if j == chars.len() {
                    return Err(err(start + 1, "unclosed quote"));
                }
                j += 1;
                quoted = true;
                continue;
            }
            value.push(d);
            j += 1;
        }
        let tok = match (&field, value.as_str(), quoted) {
            (None, "OR", false) => Tok::Or,
            (None, "AND", false) => Tok::And,
            (None, "NOT", false) => Tok::Not,
            _ => Tok::Word {
                field: field.map(|f| f.to_ascii_lowercase()),
                value,
                quoted,
            },
        };
        out.push(Spanned { tok, col });
        i = j;
    }
    Ok(out)
}

/// Deepest nesting of `(` and `-` a query may have: the parser and the
/// evaluator recurse once per level, so a query of a million `(` must be
/// an error, not a stack overflow. Real queries nest a few levels.
pub const MAX_NESTING: usize = 100;

struct Parser<'a> {
    toks: &'a [Spanned],
    pos: usize,
    depth: usize,
    end_col: usize,
    now: i64,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|s| &s.tok)
    }

    fn col(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end_col, |s| s.col)
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut items = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut items = vec![self.unary()?];
        loop {
            match self.peek() {
                Some(Tok::And) => {
                    self.pos += 1;
                    items.push(self.unary()?);
                }
                Some(Tok::Or) | Some(Tok::Close) | None => break,
                _ => items.push(self.unary()?),
            }
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    /// Enters one level of `(` or `-`, within [`MAX_NESTING`].
    fn deeper(&mut self) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(err(
                self.col(),
                format!("the query nests `(` and `-` more than {MAX_NESTING} levels deep"),
            ));
        }
        Ok(())
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        if self.peek() == Some(&Tok::Not) {
            self.pos += 1;
            self.deeper()?;
            let e = Expr::Not(Box::new(self.unary()?));
            self.depth -= 1;
            return Ok(e);
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        let col = self.col();
        let Some(t) = self.toks.get(self.pos) else {
            return Err(err(col, "a search term is missing here"));
        };
        self.pos += 1;
        match &t.tok {
            Tok::Open => {
                self.deeper()?;
                let e = self.or()?;
                self.depth -= 1;
                if self.peek() != Some(&Tok::Close) {
                    return Err(err(
                        self.col(),
                        format!("`)` expected (for the `(` at column {col})"),
                    ));
                }
                self.pos += 1;
                Ok(e)
            }
            Tok::Close => Err(err(col, "`)` without `(`")),
            Tok::Or | Tok::And => Err(err(col, "OR/AND needs a search term on both sides")),
            Tok::Not => Err(err(col, "a search term is missing after `-`")),
            Tok::Word {
                field,
                value,
                quoted,
            } => Term::new(field.as_deref(), value, *quoted, self.now)
                .map(Expr::Term)
                .map_err(|m| err(col, m)),
        }
    }
}

/// Parses a query; relative dates (`after:7d`) count back from `now`
/// (Unix seconds).
pub fn parse(q: &str, now: i64) -> Result<Expr, QueryError> {
    let toks = lex(q)?;
    if toks.is_empty() {
        return Err(err(1, "empty query (use `*` to select every message)"));
    }
    let mut p = Parser {
        toks: &toks,
        pos: 0,
        depth: 0,
        end_col: q.chars().count() + 1,
        now,
    };
    let e = p.or()?;
    if p.pos < toks.len() {
        return Err(err(p.col(), "`)` without `(`"));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the stable fuzz loop (`query` target): deep nesting was a
    /// stack overflow; now it is an error naming the limit.
    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for q in [
            "(".repeat(200_000) + "a",
            "-".repeat(200_000) + "a",
            "(-".repeat(100_000) + "a",
        ] {
            let e = parse(&q, 0).expect_err("too deep");
            assert!(e.message.contains("levels deep"), "{}", e.message);
        }
        let ok = "(".repeat(MAX_NESTING) + "a" + &")".repeat(MAX_NESTING);
        assert!(parse(&ok, 0).is_ok());
    }
}
