//! Access paths: `bus`, `app.locals.bus`, `this.events`, `process` — a binding (by symbol, never
//! by name), a global, or `this` of a class, followed by static field names. Two expressions with
//! equal paths read the same place, which is how a rule matches `bus.on(…)` with `bus.off(…)`.

use oxc_ast::{
    ast::{AssignmentTarget, Expression, IdentifierReference, MemberExpression},
    AstKind,
};
use oxc_semantic::{NodeId, SymbolId};

use crate::{
    ast_util::{as_member, member_name, strip, written, Written},
    LifetimeModel,
};

/// Where an access path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathRoot<'a> {
    Symbol(SymbolId),
    /// An unresolved identifier: `process`, `globalThis`, `window`.
    Global(&'a str),
    /// `this` of a class or object literal (its node); `None` for a plain function's `this`,
    /// which may be anything and so matches any `this`.
    This(Option<NodeId>),
}

/// A static field name; `this.#bus` and `this.bus` are different fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field<'a> {
    Public(&'a str),
    Private(&'a str),
}

/// A root and the static fields read from it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccessPath<'a> {
    pub root: PathRoot<'a>,
    pub fields: Vec<Field<'a>>,
}

impl<'a> AccessPath<'a> {
    /// A path with no fields: the value a root holds.
    pub fn root(root: PathRoot<'a>) -> Self {
        Self {
            root,
            fields: Vec::new(),
        }
    }

    /// The binding `symbol` itself.
    pub fn binding(symbol: SymbolId) -> Self {
        Self::root(PathRoot::Symbol(symbol))
    }

    /// Whether two paths may name the same place. A plain function's `this` may be any
    /// object's.
    pub fn same_place(&self, other: &AccessPath<'_>) -> bool {
        let roots = match (self.root, other.root) {
            (PathRoot::This(a), PathRoot::This(b)) => a.is_none() || b.is_none() || a == b,
            (a, b) => a == b,
        };
        roots && self.fields == other.fields
    }

    /// Whether `self` names `other` or an object `other` is read from (`list` of
    /// `list.length`).
    pub fn is_prefix_of(&self, other: &AccessPath<'_>) -> bool {
        let prefix = AccessPath {
            root: other.root,
            fields: other
                .fields
                .iter()
                .take(self.fields.len())
                .copied()
                .collect(),
        };
        self.fields.len() <= other.fields.len() && self.same_place(&prefix)
    }

    pub fn is_this(&self) -> bool {
        matches!(self.root, PathRoot::This(_))
    }
}

impl<'a> LifetimeModel<'_, 'a> {
    /// The access path an expression reads, through wrappers and `?.`; `None` for anything else
    /// (calls, computed members with non-literal keys).
    pub fn access_path(&self, expr: &Expression<'a>) -> Option<AccessPath<'a>> {
        match strip(expr) {
            Expression::Identifier(ident) => Some(self.identifier_path(ident)),
            Expression::ThisExpression(this) => Some(AccessPath::root(PathRoot::This(
                self.this_owner(this.node_id()),
            ))),
            other => self.member_path(as_member(other)?),
        }
    }

    /// The binding an identifier refers to, or the global of its name. An alias of `this`
    /// (`var self = this`, `const _this = this`, never reassigned) is that `this`: the
    /// pre-arrow idiom, and what every transpiler writes for an arrow's `this`.
    fn identifier_path(&self, ident: &IdentifierReference<'a>) -> AccessPath<'a> {
        AccessPath::root(match self.symbol_of(ident) {
            Some(symbol) => match self.this_alias(symbol) {
                Some(this) => PathRoot::This(self.this_owner(this)),
                None => PathRoot::Symbol(symbol),
            },
            None => PathRoot::Global(ident.name.as_str()),
        })
    }

    /// For a binding that only ever holds `this` (`var self = this`), the `this` expression
    /// it holds: the place every field read through the alias is read from.
    pub fn this_alias(&self, symbol: oxc_semantic::SymbolId) -> Option<NodeId> {
        let scoping = self.semantic().scoping();
        if scoping.symbol_is_mutated(symbol) {
            return None;
        }
        let declaration = scoping.symbol_declaration(symbol);
        let AstKind::VariableDeclarator(declarator) = self.semantic().nodes().kind(declaration)
        else {
            return None;
        };
        match declarator.init.as_ref().map(strip) {
            Some(Expression::ThisExpression(this)) => Some(this.node_id()),
            _ => None,
        }
    }

    /// The access path of a member expression.
    pub fn member_path(&self, member: &MemberExpression<'a>) -> Option<AccessPath<'a>> {
        let mut path = self.access_path(member.object())?;
        path.fields.push(field_name(member)?);
        Some(path)
    }

    /// The access path of a member expression node (`AstKind::StaticMemberExpression` and its
    /// computed and private relatives); `None` for any other node.
    pub fn member_node_path(&self, kind: &AstKind<'a>) -> Option<AccessPath<'a>> {
        let (object, field) = match kind {
            AstKind::StaticMemberExpression(m) => {
                (&m.object, Field::Public(m.property.name.as_str()))
            }
            AstKind::ComputedMemberExpression(m) => {
                (&m.object, Field::Public(m.static_property_info()?.1))
            }
            AstKind::PrivateFieldExpression(m) => {
                (&m.object, Field::Private(m.field.name.as_str()))
            }
            _ => return None,
        };
        let mut path = self.access_path(object)?;
        path.fields.push(field);
        Some(path)
    }

    /// The access path an assignment writes: `x = …`, `a.b = …`; `None` for destructuring.
    pub fn assignment_target_path(&self, target: &AssignmentTarget<'a>) -> Option<AccessPath<'a>> {
        match written(target)? {
            Written::Binding(ident) => Some(self.identifier_path(ident)),
            Written::Member(member) => self.member_path(member),
        }
    }

    /// The class or object literal whose instance `this` is at a node (the class itself in its
    /// static members): an ES class, a constructor function (in its body and its prototype
    /// methods), an object literal; `None` for a plain function's `this` (a callback's, which
    /// may be anything).
    pub fn this_owner(&self, node: NodeId) -> Option<NodeId> {
        self.this_site(node).map(|(owner, _)| owner)
    }

    /// Whether `this` at a node is a class itself rather than one of its instances: in a
    /// `static` method, accessor or field, or a `static { … }` block.
    pub fn this_is_class(&self, node: NodeId) -> bool {
        self.this_site(node).is_some_and(|(_, is_static)| is_static)
    }

    /// The class or object literal `this` belongs to at a node, and whether it is the class's
    /// static side.
    fn this_site(&self, node: NodeId) -> Option<(NodeId, bool)> {
        let nodes = self.semantic().nodes();
        for ancestor in nodes.ancestor_ids(node) {
            match nodes.kind(ancestor) {
                AstKind::Function(_) => {
                    let parent = nodes.parent_id(ancestor);
                    return match nodes.kind(parent) {
                        // MethodDefinition → ClassBody → Class
                        AstKind::MethodDefinition(method) => {
                            Some((nodes.parent_id(nodes.parent_id(parent)), method.r#static))
                        }
                        // A method of `X.prototype = { … }` is the constructor's; of any other
                        // object literal, that object's.
                        AstKind::ObjectProperty(_) => Some(
                            self.prototype_class(ancestor)
                                .map_or((nodes.parent_id(parent), false), |class| (class, false)),
                        ),
                        // A constructor function, or a function it puts on its instances
                        // (`X.prototype.m = function`, `this.m = function` in `X`).
                        _ => self.prototype_class(ancestor).map(|class| (class, false)),
                    };
                }
                AstKind::PropertyDefinition(property) => {
                    return Some((
                        nodes.parent_id(nodes.parent_id(ancestor)),
                        property.r#static,
                    ));
                }
                AstKind::AccessorProperty(property) => {
                    return Some((
                        nodes.parent_id(nodes.parent_id(ancestor)),
                        property.r#static,
                    ));
                }
                AstKind::StaticBlock(_) => {
                    return Some((nodes.parent_id(nodes.parent_id(ancestor)), true));
                }
                _ => {}
            }
        }
        None
    }
}

fn field_name<'a>(member: &MemberExpression<'a>) -> Option<Field<'a>> {
    match member {
        MemberExpression::PrivateFieldExpression(private) => {
            Some(Field::Private(private.field.name.as_str()))
        }
        _ => member_name(member).map(Field::Public),
    }
}
