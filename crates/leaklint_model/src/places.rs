//! Places: where a value lives, one definition for every rule. A place is a root — a binding
//! (by symbol, never by name), a global (`process`, `window`), `this` of a class, constructor
//! function or object literal (a named class's static side is the class's binding), or, for a
//! field cleared on an object the file cannot tell apart from others, any object — followed by
//! static field names, and possibly an entry of the collection there (`timers[id]`,
//! `timers.get(id)`). Expressions with equal places read the same value, which is how a rule
//! matches `bus.on(…)` with `bus.off(…)`, or `this.timer = setInterval(…)` with
//! `clearInterval(this.timer)`. TypeScript wrappers, `?.`, aliases of `this` (`var self =
//! this`), `const` aliases and loop variables are looked through.

use oxc_ast::{
    ast::{AssignmentTarget, Expression, ForStatementLeft, IdentifierReference, MemberExpression},
    AstKind,
};
use oxc_semantic::{NodeId, SymbolId};

use crate::{
    ast_util::{
        argument, as_member, callee_name, member_name, strip, value_parent, written, Written,
    },
    LifetimeModel,
};

/// Where a place starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceRoot<'a> {
    Symbol(SymbolId),
    /// An unresolved identifier: `process`, `globalThis`, `window`.
    Global(&'a str),
    /// `this` of a class's instances, a constructor function's or an object literal (its node);
    /// `None` for a plain function's `this`, which may be anything and so matches any `this`.
    This(Option<NodeId>),
    /// A field of an object the file cannot tell apart from others (a parameter's, a plain
    /// function's `this`): see [`LifetimeModel::of_any_object`]. Matches any root.
    AnyObject,
}

/// A static field name; `this.#bus` and `this.bus` are different fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field<'a> {
    Public(&'a str),
    Private(&'a str),
}

/// As written after `this.`: `timer`, `#timer`.
impl std::fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Field::Public(name) => f.write_str(name),
            Field::Private(name) => write!(f, "#{name}"),
        }
    }
}

/// A root, the static fields read from it, and whether the place is an entry of the collection
/// there rather than the value itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Place<'a> {
    pub root: PlaceRoot<'a>,
    pub fields: Vec<Field<'a>>,
    /// An entry of the collection at `root.fields` (`timers[id]`, `timers.get(id)`).
    pub entry: bool,
}

impl<'a> Place<'a> {
    /// A place with no fields: the value a root holds.
    pub fn root(root: PlaceRoot<'a>) -> Self {
        Self {
            root,
            fields: Vec::new(),
            entry: false,
        }
    }

    /// The binding `symbol` itself.
    pub fn binding(symbol: SymbolId) -> Self {
        Self::root(PlaceRoot::Symbol(symbol))
    }

    /// `root.field`.
    pub fn field(root: PlaceRoot<'a>, field: Field<'a>) -> Self {
        Self {
            root,
            fields: vec![field],
            entry: false,
        }
    }

    /// Whether two places may be the same. A plain function's `this` may be any object's, and
    /// [`PlaceRoot::AnyObject`] any root.
    pub fn same_place(&self, other: &Place<'_>) -> bool {
        let roots = match (self.root, other.root) {
            (PlaceRoot::AnyObject, _) | (_, PlaceRoot::AnyObject) => true,
            (PlaceRoot::This(a), PlaceRoot::This(b)) => a.is_none() || b.is_none() || a == b,
            (PlaceRoot::Symbol(a), PlaceRoot::Symbol(b)) => a == b,
            (PlaceRoot::Global(a), PlaceRoot::Global(b)) => a == b,
            _ => false,
        };
        roots && self.entry == other.entry && self.fields == other.fields
    }

    /// Whether `self` names `other` or an object `other` is read from (`list` of
    /// `list.length`).
    pub fn is_prefix_of(&self, other: &Place<'_>) -> bool {
        if self.entry {
            return self.same_place(other);
        }
        let prefix = Place {
            root: other.root,
            fields: other
                .fields
                .iter()
                .take(self.fields.len())
                .copied()
                .collect(),
            entry: false,
        };
        self.fields.len() <= other.fields.len() && self.same_place(&prefix)
    }

    /// Whether writing `self` replaces what is at `other`: the same place, or an object it is
    /// read from (`this.state` holds `this.state.timer`). An entry is held by the same entry
    /// only: emptying a collection is told apart from replacing one of its values by the rule.
    pub fn holds(&self, other: &Place<'_>) -> bool {
        let Some(rest) = other.fields.strip_prefix(self.fields.as_slice()) else {
            return false;
        };
        let whole = Place {
            root: self.root,
            fields: other.fields.clone(),
            entry: if rest.is_empty() {
                self.entry
            } else {
                other.entry
            },
        };
        (rest.is_empty() || !self.entry) && whole.same_place(other)
    }

    /// The same place as an entry of the collection it names; `None` when it already is one.
    pub fn entry_of(mut self) -> Option<Self> {
        if self.entry {
            return None;
        }
        self.entry = true;
        Some(self)
    }

    pub fn is_this(&self) -> bool {
        matches!(self.root, PlaceRoot::This(_))
    }
}

impl<'a> LifetimeModel<'_, 'a> {
    /// The access path an expression reads, through wrappers and `?.`; `None` for anything else
    /// (calls, computed members with non-literal keys).
    pub fn place(&self, expr: &Expression<'a>) -> Option<Place<'a>> {
        match strip(expr) {
            Expression::Identifier(ident) => Some(self.identifier_place(ident)),
            Expression::ThisExpression(this) => Some(Place::root(self.this_root(this.node_id()))),
            other => self.member_place(as_member(other)?),
        }
    }

    /// The binding an identifier refers to, or the global of its name. An alias of `this`
    /// (`var self = this`, `const _this = this`, never reassigned) is that `this`: the
    /// pre-arrow idiom, and what every transpiler writes for an arrow's `this`.
    pub fn identifier_place(&self, ident: &IdentifierReference<'a>) -> Place<'a> {
        Place::root(match self.symbol_of(ident) {
            Some(symbol) => match self.this_alias(symbol) {
                Some(this) => self.this_root(this),
                None => PlaceRoot::Symbol(symbol),
            },
            None => PlaceRoot::Global(ident.name.as_str()),
        })
    }

    /// What `this` is at a node: the instances of its class, constructor function or object
    /// literal, or, in a named class's static members, the class's binding, so that
    /// `this.timer` there and `Poller.timer` anywhere are one place, and neither is the
    /// instances' `this.timer`.
    pub fn this_root(&self, this: NodeId) -> PlaceRoot<'a> {
        match self.this_owner(this) {
            Some(owner) => self.class_side(owner, self.this_is_class(this)),
            None => PlaceRoot::This(None),
        }
    }

    /// The root of a field of `owner` (a class or object literal): its instances' `this`, or
    /// for a named class's static side, the class's binding.
    pub fn class_side(&self, owner: NodeId, is_static: bool) -> PlaceRoot<'a> {
        let binding = match self.semantic().nodes().kind(owner) {
            AstKind::Class(class) if is_static => class.id.as_ref().map(|id| id.symbol_id()),
            _ => None,
        };
        binding.map_or(PlaceRoot::This(Some(owner)), PlaceRoot::Symbol)
    }

    /// [`LifetimeModel::place`], or an entry of a collection: `timers[id]`, `timers.get(id)`,
    /// `timers.pop()`, `timers.shift()`, a field of one (`conns[id].timer`).
    pub fn place_or_entry(&self, expr: &Expression<'a>) -> Option<Place<'a>> {
        match strip(expr) {
            Expression::Identifier(ident) => Some(self.identifier_place(ident)),
            Expression::ThisExpression(this) => Some(Place::root(self.this_root(this.node_id()))),
            Expression::CallExpression(call)
                if matches!(callee_name(call), Some("get" | "pop" | "shift")) =>
            {
                self.place_or_entry(as_member(&call.callee)?.object())?
                    .entry_of()
            }
            other => self.member_place_or_entry(as_member(other)?),
        }
    }

    /// [`LifetimeModel::member_place`], or an entry of a collection (`timers[id]`).
    pub fn member_place_or_entry(&self, member: &MemberExpression<'a>) -> Option<Place<'a>> {
        let mut place = self.place_or_entry(member.object())?;
        if place.entry {
            return None;
        }
        match field_name(member) {
            Some(field) => place.fields.push(field),
            None => place.entry = true,
        }
        Some(place)
    }

    /// [`LifetimeModel::assignment_place`], or an entry of a collection (`timers[id] = …`).
    pub fn assignment_place_or_entry(&self, target: &AssignmentTarget<'a>) -> Option<Place<'a>> {
        match written(target)? {
            Written::Binding(ident) => Some(self.identifier_place(ident)),
            Written::Member(member) => self.member_place_or_entry(member),
        }
    }

    /// The collection behind `timers`, `timers.values()`, `Object.values(timers)`,
    /// `Array.from(timers)`, `[...timers]`, as the place of its entries.
    pub fn iterated_place(&self, expr: &Expression<'a>) -> Option<Place<'a>> {
        let mut collection = strip(expr);
        // Each step looks through one copy or view of the collection; nesting is shallow in
        // practice.
        for _ in 0..4 {
            collection = match collection {
                Expression::CallExpression(call) => {
                    let callee = as_member(&call.callee)?;
                    match (member_name(callee)?, strip(callee.object())) {
                        ("values" | "entries" | "from", Expression::Identifier(object))
                            if matches!(object.name.as_str(), "Object" | "Array")
                                && self.symbol_of(object).is_none() =>
                        {
                            strip(argument(call, 0)?)
                        }
                        ("values" | "entries" | "splice" | "slice", object) => object,
                        _ => return None,
                    }
                }
                Expression::ArrayExpression(array) if array.elements.len() == 1 => {
                    match array.elements.first()? {
                        oxc_ast::ast::ArrayExpressionElement::SpreadElement(spread) => {
                            strip(&spread.argument)
                        }
                        _ => return None,
                    }
                }
                _ => break,
            };
        }
        self.place_or_entry(collection)?.entry_of()
    }

    /// For a loop variable (`for (const t of timers)`, `timers.forEach((t) => …)`), the
    /// entries of the collection it takes.
    pub fn loop_source(&self, symbol: SymbolId) -> Option<Place<'a>> {
        let nodes = self.semantic().nodes();
        let declaration = self.semantic().scoping().symbol_declaration(symbol);
        for ancestor in nodes.ancestor_ids(declaration) {
            match nodes.kind(ancestor) {
                AstKind::ForOfStatement(for_of) => {
                    let ForStatementLeft::VariableDeclaration(_) = &for_of.left else {
                        return None;
                    };
                    return self.iterated_place(&for_of.right);
                }
                AstKind::FormalParameters(_) => {
                    let function = nodes.parent_id(ancestor);
                    let (_, AstKind::CallExpression(call)) =
                        value_parent(self.semantic(), function)
                    else {
                        return None;
                    };
                    if !matches!(callee_name(call), Some("forEach" | "map")) {
                        return None;
                    }
                    return self.iterated_place(as_member(&call.callee)?.object());
                }
                AstKind::Function(_)
                | AstKind::ArrowFunctionExpression(_)
                | AstKind::Program(_) => return None,
                _ => {}
            }
        }
        None
    }

    /// For `const timer = timers.get(id)` (never reassigned), where `timer` was read from.
    pub fn alias_source(&self, symbol: SymbolId) -> Option<Place<'a>> {
        self.place_or_entry(self.const_init(symbol)?)
    }

    /// A field of a parameter or of a plain function's `this` as a field of
    /// [`PlaceRoot::AnyObject`]: the caller may pass, or the emitter be, the object that holds
    /// what is cleared there (`function stop(conn) { clearInterval(conn.timer) }`). A private
    /// field (`a.#timer`) is only ever its own class's, so it stays where it is.
    pub fn of_any_object(&self, mut place: Place<'a>) -> Place<'a> {
        let unknown = match place.root {
            PlaceRoot::This(owner) => owner.is_none(),
            PlaceRoot::Symbol(symbol) => self.parameter_owner(symbol).is_some(),
            PlaceRoot::AnyObject => true,
            PlaceRoot::Global(_) => false,
        };
        let private = place
            .fields
            .iter()
            .any(|field| matches!(field, Field::Private(_)));
        if unknown && !place.fields.is_empty() && !private {
            place.root = PlaceRoot::AnyObject;
        }
        place
    }

    /// The initializer of a `const x = …` (or a `let`/`var` never reassigned).
    pub fn const_init(&self, symbol: SymbolId) -> Option<&'a Expression<'a>> {
        let scoping = self.semantic().scoping();
        if scoping.symbol_is_mutated(symbol) {
            return None;
        }
        match self
            .semantic()
            .nodes()
            .kind(scoping.symbol_declaration(symbol))
        {
            AstKind::VariableDeclarator(declarator)
                if matches!(
                    declarator.id,
                    oxc_ast::ast::BindingPattern::BindingIdentifier(_)
                ) =>
            {
                declarator.init.as_ref()
            }
            _ => None,
        }
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
    pub fn member_place(&self, member: &MemberExpression<'a>) -> Option<Place<'a>> {
        let mut path = self.place(member.object())?;
        path.fields.push(field_name(member)?);
        Some(path)
    }

    /// The access path of a member expression node (`AstKind::StaticMemberExpression` and its
    /// computed and private relatives); `None` for any other node.
    pub fn member_node_place(&self, kind: &AstKind<'a>) -> Option<Place<'a>> {
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
        let mut path = self.place(object)?;
        path.fields.push(field);
        Some(path)
    }

    /// The access path an assignment writes: `x = …`, `a.b = …`; `None` for destructuring.
    pub fn assignment_place(&self, target: &AssignmentTarget<'a>) -> Option<Place<'a>> {
        match written(target)? {
            Written::Binding(ident) => Some(self.identifier_place(ident)),
            Written::Member(member) => self.member_place(member),
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
