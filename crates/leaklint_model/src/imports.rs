//! Where a binding comes from: `import { x } from 'm'`, `const { x } = require('m')`,
//! `const m = require('m')`. Rules use this to know that `setInterval` is Node's, or that `pool`
//! came from `mysql2`, by symbol rather than by name.

use oxc_ast::{
    ast::{BindingPattern, Expression, ImportDeclarationSpecifier},
    AstKind,
};
use oxc_semantic::{Semantic, SymbolId};

use crate::ast_util::{member_name, property_key_name, strip};

/// The module a binding was imported or required from, and the export it names (`None` for a
/// default or namespace import, or a whole `require`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOrigin<'a> {
    pub module: &'a str,
    pub export: Option<&'a str>,
}

impl ImportOrigin<'_> {
    /// `node:timers` and `timers` are the same module.
    pub fn is_module(&self, name: &str) -> bool {
        self.module.strip_prefix("node:").unwrap_or(self.module) == name
    }
}

pub fn import_origin<'a>(semantic: &Semantic<'a>, symbol: SymbolId) -> Option<ImportOrigin<'a>> {
    let nodes = semantic.nodes();
    let declaration = semantic.scoping().symbol_declaration(symbol);
    match nodes.kind(declaration) {
        AstKind::ImportSpecifier(_)
        | AstKind::ImportDefaultSpecifier(_)
        | AstKind::ImportNamespaceSpecifier(_) => {
            let AstKind::ImportDeclaration(import) = nodes.parent_kind(declaration) else {
                return None;
            };
            let export =
                import
                    .specifiers
                    .iter()
                    .flatten()
                    .find_map(|specifier| match specifier {
                        ImportDeclarationSpecifier::ImportSpecifier(s)
                            if s.local.symbol_id.get() == Some(symbol) =>
                        {
                            Some(Some(s.imported.name().as_str()))
                        }
                        ImportDeclarationSpecifier::ImportDefaultSpecifier(s)
                            if s.local.symbol_id.get() == Some(symbol) =>
                        {
                            Some(None)
                        }
                        ImportDeclarationSpecifier::ImportNamespaceSpecifier(s)
                            if s.local.symbol_id.get() == Some(symbol) =>
                        {
                            Some(None)
                        }
                        _ => None,
                    })?;
            Some(ImportOrigin {
                module: import.source.value.as_str(),
                export,
            })
        }
        AstKind::VariableDeclarator(declarator) => {
            let init = strip(declarator.init.as_ref()?);
            // `require('m').x`
            if let Some(member) = init.as_member_expression() {
                let module = require_source(member.object())?;
                let BindingPattern::BindingIdentifier(_) = &declarator.id else {
                    return None;
                };
                return Some(ImportOrigin {
                    module,
                    export: member_name(member),
                });
            }
            let module = require_source(init)?;
            match &declarator.id {
                BindingPattern::BindingIdentifier(_) => Some(ImportOrigin {
                    module,
                    export: None,
                }),
                BindingPattern::ObjectPattern(pattern) => {
                    let property = pattern.properties.iter().find(|p| {
                        p.value
                            .get_binding_identifier()
                            .and_then(|b| b.symbol_id.get())
                            == Some(symbol)
                    })?;
                    Some(ImportOrigin {
                        module,
                        export: property_key_name(&property.key),
                    })
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// `require('m')` → `m`.
fn require_source<'a>(expr: &Expression<'a>) -> Option<&'a str> {
    match strip(expr) {
        Expression::CallExpression(call) if call.is_require_call() => {
            match call.arguments.first()?.as_expression().map(strip)? {
                Expression::StringLiteral(lit) => Some(lit.value.as_str()),
                _ => None,
            }
        }
        // What TypeScript, Babel and esbuild emit for `import x from 'm'` in CommonJS output:
        // `__importDefault(require('m'))`, `_interopRequireDefault(require('m'))`, …
        Expression::CallExpression(call)
            if matches!(
                crate::ast_util::callee_name(call),
                Some(
                    "__importDefault"
                        | "__importStar"
                        | "_interopRequireDefault"
                        | "_interopRequireWildcard"
                        | "__toESM"
                )
            ) =>
        {
            require_source(call.arguments.first()?.as_expression()?)
        }
        _ => None,
    }
}
