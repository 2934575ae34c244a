//! Instance owners: the classes of a file (ES classes and constructor functions with their
//! prototype methods), what their instances are handed, how they end, and where they are made.
//!
//! A resource an instance acquires on something it does not own (an emitter handed to its
//! constructor, `process`, a module's shared client) outlives the instance unless the
//! instance's end gives it back. The end is a teardown method (`close`, `destroy`, …); a class
//! without one has no end, and each instance made leaves its resources behind. Where instances
//! are made (`new X` in code that runs per call) is the evidence that there are many.

use oxc_ast::{
    ast::{AssignmentTarget, ClassElement, Expression, MethodDefinitionKind, PropertyKey},
    AstKind,
};
use oxc_semantic::{NodeId, SymbolId};
use oxc_span::{GetSpan, Span};

use crate::{
    ast_util::{as_member, member_name, property_key_name, strip, written, Written},
    Field, LifetimeModel, Place, PlaceRoot,
};

/// Method names that end an instance, as frameworks and libraries name them; the
/// configuration's `settings.teardownMethods` adds more. `[Symbol.dispose]` and
/// `[Symbol.asyncDispose]` count too.
pub const TEARDOWN_METHODS: &[&str] = &[
    "destroy",
    "close",
    "dispose",
    "stop",
    "disconnect",
    "teardown",
    "shutdown",
    "end",
    "exit",
    "quit",
    "unmount",
    "componentWillUnmount",
    "ngOnDestroy",
    "onModuleDestroy",
    "beforeDestroy",
    "beforeUnmount",
    "unmounted",
    "destroyed",
    "asyncDispose",
];

/// A class: an ES class (its `Class` node), or a constructor function (its `Function` node)
/// whose instances get methods through `X.prototype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    pub node: NodeId,
    /// The binding that names it (`class X`, `const X = class`, `function X`).
    pub binding: Option<SymbolId>,
}

/// A method of a class's instances, or its constructor.
#[derive(Debug, Clone, Copy)]
pub struct Method<'a> {
    pub name: Option<&'a str>,
    /// The function node (`Function` or arrow).
    pub function: NodeId,
    pub constructor: bool,
    /// Where it is named, for labels.
    pub span: Span,
}

impl<'a> LifetimeModel<'_, 'a> {
    /// The class whose instance owns the code at `node`, and the method it is in: the
    /// innermost method, constructor or prototype function around it (a callback nested in a
    /// method is the method's doing). `None` outside every class, and in static members.
    pub fn instance_owner(&self, node: NodeId) -> Option<(Class, Method<'a>)> {
        let nodes = self.semantic().nodes();
        let mut current = self.enclosing_function(node);
        while let Some(function) = current {
            if let Some(found) = self.member_of(function) {
                return Some(found);
            }
            current = self.enclosing_function(nodes.parent_id(function));
        }
        None
    }

    /// The field a method of a class is called through on its instances (`this.onClose` for
    /// `onClose() {}` or `X.prototype.onClose = function () {}`).
    pub fn method_place(&self, function: NodeId) -> Option<Place<'a>> {
        let (class, method) = self.member_of(function)?;
        Some(Place::field(
            crate::PlaceRoot::This(Some(class.node)),
            crate::Field::Public(method.name?),
        ))
    }

    /// The class a function is a method (or the constructor) of.
    fn member_of(&self, function: NodeId) -> Option<(Class, Method<'a>)> {
        let nodes = self.semantic().nodes();
        let parent = nodes.parent_id(function);
        match nodes.kind(parent) {
            // `class X { m() {} }`: MethodDefinition → ClassBody → Class.
            AstKind::MethodDefinition(method) => {
                if method.r#static {
                    return None;
                }
                let class = nodes.parent_id(nodes.parent_id(parent));
                Some((
                    self.class_at(class)?,
                    Method {
                        name: key_name(&method.key),
                        function,
                        constructor: method.kind == MethodDefinitionKind::Constructor,
                        span: method.key.span(),
                    },
                ))
            }
            // `class X { onData = () => {} }`
            AstKind::PropertyDefinition(property) if !property.r#static => {
                let class = nodes.parent_id(nodes.parent_id(parent));
                Some((
                    self.class_at(class)?,
                    Method {
                        name: key_name(&property.key),
                        function,
                        constructor: false,
                        span: property.key.span(),
                    },
                ))
            }
            _ => {
                if let Some(class) = self.constructor_function(function) {
                    let span = match nodes.kind(function) {
                        AstKind::Function(f) => f.id.as_ref().map_or(f.span, |id| id.span),
                        other => other.span(),
                    };
                    return Some((
                        class,
                        Method {
                            name: None,
                            function,
                            constructor: true,
                            span,
                        },
                    ));
                }
                self.prototype_member(function)
            }
        }
    }

    /// The constructor function (its node) whose instances a function is part of: the
    /// constructor itself or one of its prototype methods. ES classes are not asked here.
    pub(crate) fn prototype_class(&self, function: NodeId) -> Option<NodeId> {
        if let Some(class) = self.constructor_function(function) {
            return Some(class.node);
        }
        let (class, _) = self.prototype_member(function)?;
        matches!(
            self.semantic().nodes().kind(class.node),
            AstKind::Function(_)
        )
        .then_some(class.node)
    }

    /// The class of a `Class` node, with its binding.
    fn class_at(&self, class: NodeId) -> Option<Class> {
        let nodes = self.semantic().nodes();
        let AstKind::Class(node) = nodes.kind(class) else {
            return None;
        };
        let binding = match &node.id {
            Some(id) => id.symbol_id.get(),
            None => match nodes.parent_kind(class) {
                AstKind::VariableDeclarator(declarator) => declarator
                    .id
                    .get_binding_identifier()
                    .and_then(|id| id.symbol_id.get()),
                _ => None,
            },
        };
        Some(Class {
            node: class,
            binding,
        })
    }

    /// The binding a function is declared or `const`-assigned under.
    fn function_binding(&self, function: NodeId) -> Option<SymbolId> {
        function_binding(self.semantic(), function)
    }

    /// A `function X() {}` (or `const X = function () {}`) used as a constructor: the file
    /// reads `X.prototype` or calls `new X`.
    pub fn constructor_function(&self, function: NodeId) -> Option<Class> {
        let binding = self.function_binding(function)?;
        used_as_class(self.semantic(), binding).then_some(Class {
            node: function,
            binding: Some(binding),
        })
    }

    /// `X.prototype.m = function () {}` or `X.prototype = { m() {} }`, and `this.m = function
    /// () {}` in the constructor function `X`.
    fn prototype_member(&self, function: NodeId) -> Option<(Class, Method<'a>)> {
        let nodes = self.semantic().nodes();
        let (_, parent) = crate::ast_util::value_parent(self.semantic(), function);
        let (target, name, span): (&Expression<'a>, Option<&'a str>, Span) = match parent {
            AstKind::AssignmentExpression(assign) => {
                // `X.prototype.m = …` or, in a constructor function, `this.m = …`.
                let Some(Written::Member(member)) = written(&assign.left) else {
                    return None;
                };
                let name = member_name(member);
                let object = strip(member.object());
                if let Expression::ThisExpression(_) = object {
                    let constructor = self.enclosing_function(assign.node_id())?;
                    let class = self.constructor_function(constructor)?;
                    let method = Method {
                        name,
                        function,
                        constructor: false,
                        span: member.span(),
                    };
                    return Some((class, method));
                }
                (object, name, member.span())
            }
            AstKind::ObjectProperty(property) => {
                // `X.prototype = { m() {} }`: ObjectProperty → ObjectExpression → assignment.
                let object = nodes.parent_id(nodes.parent_id(function));
                let class = self.prototype_object_class(object)?;
                let method = Method {
                    name: key_name(&property.key),
                    function,
                    constructor: false,
                    span: property.key.span(),
                };
                return Some((class, method));
            }
            _ => return None,
        };
        // `target` is `X.prototype`.
        let prototype = as_member(target)?;
        if member_name(prototype) != Some("prototype") {
            return None;
        }
        let class = self.class_of_binding_expr(prototype.object())?;
        Some((
            class,
            Method {
                name,
                function,
                constructor: false,
                span,
            },
        ))
    }

    /// The class whose prototype an object literal's members end up on: `X.prototype = {…}`,
    /// `Object.assign(X.prototype, {…})`, or a binding of it copied there (`var instance = {…};
    /// for (var k in instance) X.prototype[k] = instance[k]`, `extend(X.prototype, instance)`).
    fn prototype_object_class(&self, object: NodeId) -> Option<Class> {
        let nodes = self.semantic().nodes();
        let (child, holder) = crate::ast_util::value_parent(self.semantic(), object);
        let copied_onto = |call: &oxc_ast::ast::CallExpression<'a>, copied: Span| {
            if !matches!(
                crate::ast_util::callee_name(call),
                Some("assign" | "extend" | "mixin" | "merge" | "defaults")
            ) || call.arguments.len() < 2
                || call.arguments[0].span() == copied
            {
                return None;
            }
            if !call.arguments[1..].iter().any(|a| a.span() == copied) {
                return None;
            }
            let prototype = as_member(call.arguments[0].as_expression()?)?;
            (member_name(prototype) == Some("prototype"))
                .then(|| self.class_of_binding_expr(prototype.object()))
                .flatten()
        };
        match holder {
            AstKind::AssignmentExpression(assign) => {
                let AssignmentTarget::StaticMemberExpression(member) = &assign.left else {
                    return None;
                };
                if member.property.name != "prototype" {
                    return None;
                }
                self.class_of_binding_expr(&member.object)
            }
            AstKind::CallExpression(call) => copied_onto(call, nodes.kind(child).span()),
            AstKind::VariableDeclarator(declarator) => {
                let symbol = declarator.id.get_binding_identifier()?.symbol_id.get()?;
                let scoping = self.semantic().scoping();
                if scoping.symbol_is_mutated(symbol) {
                    return None;
                }
                scoping
                    .get_resolved_references(symbol)
                    .find_map(|reference| {
                        let id = reference.node_id();
                        let at = nodes.kind(id).span();
                        match nodes.parent_kind(id) {
                            AstKind::CallExpression(call) => copied_onto(call, at),
                            // `for (var k in instance) X.prototype[k] = instance[k];`
                            AstKind::ForInStatement(statement) if statement.right.span() == at => {
                                let body = nodes.parent_id(id);
                                self.nodes_within(body).find_map(|node| {
                                    let AstKind::AssignmentExpression(assign) = node.kind() else {
                                        return None;
                                    };
                                    let Some(Written::Member(member)) = written(&assign.left)
                                    else {
                                        return None;
                                    };
                                    let prototype = as_member(member.object())?;
                                    (member_name(prototype) == Some("prototype"))
                                        .then(|| self.class_of_binding_expr(prototype.object()))
                                        .flatten()
                                })
                            }
                            _ => None,
                        }
                    })
            }
            _ => None,
        }
    }

    /// The class an identifier names: a constructor function or an ES class.
    fn class_of_binding_expr(&self, expr: &Expression<'a>) -> Option<Class> {
        let Expression::Identifier(ident) = strip(expr) else {
            return None;
        };
        let symbol = self.symbol_of(ident)?;
        self.class_of_symbol(symbol)
    }

    /// The class a binding names.
    pub fn class_of_symbol(&self, symbol: SymbolId) -> Option<Class> {
        let nodes = self.semantic().nodes();
        let declaration = self.semantic().scoping().symbol_declaration(symbol);
        match nodes.kind(declaration) {
            AstKind::Function(_) => Some(Class {
                node: declaration,
                binding: Some(symbol),
            }),
            AstKind::Class(_) => self.class_at(declaration),
            AstKind::VariableDeclarator(declarator) => {
                let init = declarator.init.as_ref().map(strip)?;
                match init {
                    Expression::FunctionExpression(f) => Some(Class {
                        node: f.node_id(),
                        binding: Some(symbol),
                    }),
                    Expression::ClassExpression(c) => self.class_at(c.node_id()),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Every method of a class's instances, its constructor included.
    pub fn methods(&self, class: Class) -> Vec<Method<'a>> {
        let nodes = self.semantic().nodes();
        let mut methods = Vec::new();
        match nodes.kind(class.node) {
            AstKind::Class(node) => {
                for element in &node.body.body {
                    match element {
                        ClassElement::MethodDefinition(method) if !method.r#static => {
                            methods.push(Method {
                                name: key_name(&method.key),
                                function: method.value.node_id(),
                                constructor: method.kind == MethodDefinitionKind::Constructor,
                                span: method.key.span(),
                            });
                        }
                        ClassElement::PropertyDefinition(property) if !property.r#static => {
                            if let Some(function) = property
                                .value
                                .as_ref()
                                .and_then(crate::ast_util::as_function_node)
                            {
                                methods.push(Method {
                                    name: key_name(&property.key),
                                    function,
                                    constructor: false,
                                    span: property.key.span(),
                                });
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {
                // A constructor function: itself, and every function that is its member.
                if let Some((_, constructor)) = self.member_of(class.node) {
                    methods.push(constructor);
                }
                let members = self.prototype_members.get_or_init(|| {
                    let mut members: rustc_hash::FxHashMap<NodeId, Vec<Method<'a>>> =
                        rustc_hash::FxHashMap::default();
                    for node in nodes.iter() {
                        if !matches!(
                            node.kind(),
                            AstKind::Function(_) | AstKind::ArrowFunctionExpression(_)
                        ) {
                            continue;
                        }
                        if let Some((owner, method)) = self.prototype_member(node.id()) {
                            members.entry(owner.node).or_default().push(method);
                        }
                    }
                    members
                });
                methods.extend(
                    members
                        .get(&class.node)
                        .into_iter()
                        .flatten()
                        .filter(|method| method.function != class.node)
                        .copied(),
                );
            }
        }
        methods
    }

    /// The constructor of a class (the function itself, for a constructor function).
    pub fn constructor_of(&self, class: Class) -> Option<Method<'a>> {
        self.methods(class)
            .into_iter()
            .find(|method| method.constructor)
    }

    /// The methods that end an instance: named as a teardown ([`TEARDOWN_METHODS`], the
    /// configuration's `teardownMethods`), or `[Symbol.dispose]`.
    pub fn teardowns(&self, class: Class) -> Vec<Method<'a>> {
        let extra = &self.settings().teardown_methods;
        self.methods(class)
            .into_iter()
            .filter(|method| {
                !method.constructor
                    && method
                        .name
                        .is_some_and(|name| is_teardown_name(name, extra))
            })
            .collect()
    }

    /// Every `new X(…)` of the class in the file.
    pub fn creations(&self, class: Class) -> Vec<NodeId> {
        let Some(binding) = class.binding else {
            return Vec::new();
        };
        let nodes = self.semantic().nodes();
        self.semantic()
            .scoping()
            .get_resolved_references(binding)
            .filter_map(|reference| {
                let id = reference.node_id();
                let parent = nodes.parent_id(id);
                match nodes.kind(parent) {
                    AstKind::NewExpression(new) if new.callee.span() == nodes.kind(id).span() => {
                        Some(parent)
                    }
                    _ => None,
                }
            })
            .collect()
    }

    /// The constructor parameter a field of the instance holds, when the constructor stores one
    /// there (`this.bus = bus`, or a TypeScript parameter property `constructor(private bus)`):
    /// an object the instance was handed, not one it made.
    pub fn handed_in_field(&self, class: Class, field: Field<'_>) -> Option<SymbolId> {
        self.constructor_stores(class)
            .into_iter()
            .find(|(stored, _)| *stored == field)
            .map(|(_, param)| param)
    }

    /// The fields the constructor stores a parameter in: other names for the same object.
    pub fn fields_holding(&self, class: Class, param: SymbolId) -> Vec<Field<'a>> {
        self.constructor_stores(class)
            .into_iter()
            .filter(|(_, stored)| *stored == param)
            .map(|(field, _)| field)
            .collect()
    }

    /// Each field the constructor fills with one of its parameters, and that parameter: a
    /// TypeScript parameter property, or `this.field = param` in the constructor's own body.
    fn constructor_stores(&self, class: Class) -> Vec<(Field<'a>, SymbolId)> {
        let nodes = self.semantic().nodes();
        let Some(constructor) = self.constructor_of(class) else {
            return Vec::new();
        };
        let AstKind::Function(function) = nodes.kind(constructor.function) else {
            return Vec::new();
        };
        let mut stores = Vec::new();
        for item in &function.params.items {
            let is_property = item.accessibility.is_some() || item.readonly || item.r#override;
            if let Some(ident) = item
                .pattern
                .get_binding_identifier()
                .filter(|_| is_property)
            {
                if let Some(symbol) = ident.symbol_id.get() {
                    stores.push((Field::Public(ident.name.as_str()), symbol));
                }
            }
        }
        let Some(body) = function.body.as_ref() else {
            return stores;
        };
        for statement in &body.statements {
            let oxc_ast::ast::Statement::ExpressionStatement(statement) = statement else {
                continue;
            };
            let Expression::AssignmentExpression(assign) = strip(&statement.expression) else {
                continue;
            };
            let (Some(Written::Member(member)), Expression::Identifier(value)) =
                (written(&assign.left), strip(&assign.right))
            else {
                continue;
            };
            if !matches!(strip(member.object()), Expression::ThisExpression(_)) {
                continue;
            }
            let param = self
                .symbol_of(value)
                .filter(|&symbol| self.parameter_owner(symbol) == Some(constructor.function));
            if let (Some(name), Some(param)) = (member_name(member), param) {
                stores.push((Field::Public(name), param));
            }
        }
        stores
    }

    /// Every other name of the object at `path`, where it is a constructor parameter of `class`
    /// or a field holding one: the parameter, the fields holding it, and what every `new` of
    /// the class passes for it.
    pub fn handed_in_places(&self, class: Class, path: &Place<'a>) -> Vec<Place<'a>> {
        let Some(Outside::HandedIn(param)) = self.outside_instance(class, path) else {
            return Vec::new();
        };
        let rest: Vec<Field<'a>> = path
            .fields
            .iter()
            .skip(usize::from(path.is_this()))
            .copied()
            .collect();
        let with_rest = |mut base: Place<'a>| {
            base.fields.extend(rest.iter().copied());
            base
        };
        let mut places = vec![with_rest(Place::binding(param))];
        for field in self.fields_holding(class, param) {
            places.push(with_rest(Place::field(
                PlaceRoot::This(Some(class.node)),
                field,
            )));
        }
        if let Some(passed) = self
            .parameter_index(param)
            .and_then(|index| self.constructor_argument(class, index))
        {
            places.push(with_rest(passed));
        }
        places.retain(|place| place != path);
        places
    }

    /// Whether the constructor calls the method (`this.install()`): it then runs as part of
    /// making each instance.
    pub fn called_by_constructor(&self, class: Class, method: &Method<'_>) -> bool {
        let Some(name) = method.name else {
            return false;
        };
        let Some(constructor) = self.constructor_of(class) else {
            return false;
        };
        self.nodes_within(constructor.function).any(|inner| {
            let AstKind::CallExpression(call) = inner.kind() else {
                return false;
            };
            as_member(&call.callee).is_some_and(|member| {
                member_name(member) == Some(name)
                    && matches!(strip(member.object()), Expression::ThisExpression(_))
            })
        })
    }

    /// What every `new X(…)` of the class passes as its `index`th argument, when they all
    /// pass the same place (`new SensorMemory(this, …)` in one method): the place the
    /// constructor's parameter stands for. `None` without creations or when they differ.
    pub fn constructor_argument(&self, class: Class, index: usize) -> Option<Place<'a>> {
        let nodes = self.semantic().nodes();
        let mut agreed: Option<Place<'a>> = None;
        for creation in self.creations(class) {
            let AstKind::NewExpression(new) = nodes.kind(creation) else {
                return None;
            };
            let argument = new.arguments.get(index)?.as_expression()?;
            let path = self.place(argument)?;
            match &agreed {
                Some(previous) if !previous.same_place(&path) => return None,
                Some(_) => {}
                None => agreed = Some(path),
            }
        }
        agreed
    }

    /// The position of a parameter in its function's parameter list.
    pub fn parameter_index(&self, symbol: SymbolId) -> Option<usize> {
        let function = self.parameter_owner(symbol)?;
        let params = crate::ast_util::function_params(&self.semantic().nodes().kind(function))?;
        params.items.iter().position(|param| {
            param
                .pattern
                .get_binding_identifier()
                .and_then(|id| id.symbol_id.get())
                == Some(symbol)
        })
    }

    /// Whether the place lives outside the instance of `class`: a global, a module-level
    /// binding or import, a parameter of the constructor, or a field the constructor fills
    /// with one. What the instance makes itself (`this.bus = new EventEmitter()`), and the
    /// instance itself, are its own.
    pub fn outside_instance(&self, class: Class, path: &Place<'_>) -> Option<Outside> {
        match path.root {
            PlaceRoot::Global(name) => GLOBAL_OBJECTS.contains(&name).then_some(Outside::Global),
            PlaceRoot::Symbol(symbol) => {
                if self.is_module_level(symbol) {
                    return Some(Outside::Shared);
                }
                let owner = self.parameter_owner(symbol)?;
                let (owner_class, method) = self.member_of(owner)?;
                (owner_class == class && method.constructor).then_some(Outside::HandedIn(symbol))
            }
            PlaceRoot::This(_) => {
                let field = *path.fields.first()?;
                self.handed_in_field(class, field).map(Outside::HandedIn)
            }
            PlaceRoot::AnyObject => None,
        }
    }
}

/// Methods that end an object, or drop every listener it holds: what a class does to an object
/// it was handed when it is done with it.
pub const END_METHODS: &[&str] = &[
    "close",
    "destroy",
    "end",
    "disconnect",
    "quit",
    "terminate",
    "dispose",
    "stop",
    "removeAllListeners",
];

impl LifetimeModel<'_, '_> {
    /// A call in the class's methods that ends the object at `path`, or one it is read from
    /// (`this.sock.close()` ends what `this.sock.on(…)` was added to).
    pub fn ended_by(&self, class: Class, path: &Place<'_>) -> Option<NodeId> {
        self.methods(class).into_iter().find_map(|method| {
            self.nodes_within(method.function)
                .find(|inner| {
                    let AstKind::CallExpression(call) = inner.kind() else {
                        return false;
                    };
                    let Some(member) = as_member(&call.callee) else {
                        return false;
                    };
                    member_name(member).is_some_and(|name| END_METHODS.contains(&name))
                        && self
                            .place(member.object())
                            .is_some_and(|ended| ended.is_prefix_of(path))
                })
                .map(|inner| inner.id())
        })
    }
}

impl<'a> LifetimeModel<'_, 'a> {
    /// The method of `class` that ends what its instances keep at `place` — a field, or the
    /// entries of a collection field — by calling an end method (`close`, `quit`, …) on it, on
    /// an alias of it, or on each entry as it iterates them (`for (const q of
    /// this.queues.values()) await q.close()`).
    pub fn closer_of(&self, class: Class, place: &Place<'_>) -> Option<Method<'a>> {
        self.methods(class).into_iter().find(|method| {
            self.nodes_within(method.function).any(|inner| {
                let AstKind::CallExpression(call) = inner.kind() else {
                    return false;
                };
                let Some(member) = as_member(&call.callee) else {
                    return false;
                };
                if !member_name(member).is_some_and(|name| END_METHODS.contains(&name)) {
                    return false;
                }
                let receiver = member.object();
                let mut ended: Vec<Place<'a>> = self.place_or_entry(receiver).into_iter().collect();
                if let Expression::Identifier(ident) = strip(receiver) {
                    if let Some(symbol) = self.symbol_of(ident) {
                        ended.extend(self.loop_source(symbol));
                        ended.extend(self.alias_source(symbol));
                        ended.extend(self.resolved_from(symbol));
                    }
                }
                ended.iter().any(|ended| ended.same_place(place))
            })
        })
    }

    /// For the first parameter of a `.then` callback (`this.clientP.then((c) => c.close())`),
    /// the promise it is the value of.
    pub fn resolved_from(&self, symbol: SymbolId) -> Option<Place<'a>> {
        let function = self.parameter_owner(symbol)?;
        if self.parameter_index(symbol) != Some(0) {
            return None;
        }
        let (_, AstKind::CallExpression(call)) =
            crate::ast_util::value_parent(self.semantic(), function)
        else {
            return None;
        };
        let member = as_member(&call.callee)?;
        if member_name(member) != Some("then") {
            return None;
        }
        self.place(member.object())
    }

    /// Where an instance keeps the value of the expression at `node`, when the code is a
    /// method or constructor of a class: a field of `this` it is assigned to (`this.db =
    /// createClient()`), directly or through a local (`const q = new Queue(); this.q = q`), or
    /// the entries of a collection field it is added to (`this.queues.set(name, q)`).
    pub fn kept_in_field(&self, node: NodeId) -> Option<(Class, Place<'a>)> {
        let (class, _) = self.instance_owner(node)?;
        let semantic = self.semantic();
        let nodes = semantic.nodes();
        let mut child = node;
        let parent = loop {
            let (c, parent) = crate::ast_util::value_parent(semantic, child);
            match parent {
                AstKind::AwaitExpression(_) => child = nodes.parent_id(c),
                _ => break parent,
            }
        };
        let is_instance_field = |place: &Place<'_>| {
            place.root == PlaceRoot::This(Some(class.node)) && place.fields.len() == 1
        };
        let local = match parent {
            AstKind::AssignmentExpression(assign) => {
                let place = self.assignment_place(&assign.left)?;
                if is_instance_field(&place) {
                    return Some((class, place));
                }
                match place.root {
                    PlaceRoot::Symbol(symbol) if place.fields.is_empty() => symbol,
                    _ => return None,
                }
            }
            AstKind::VariableDeclarator(declarator) => {
                declarator.id.get_binding_identifier()?.symbol_id.get()?
            }
            _ => return None,
        };
        // A local that holds it: where the local goes.
        semantic
            .scoping()
            .get_resolved_references(local)
            .find_map(|reference| {
                let (_, parent) = crate::ast_util::value_parent(semantic, reference.node_id());
                let place = match parent {
                    AstKind::AssignmentExpression(assign) => self.assignment_place(&assign.left)?,
                    AstKind::CallExpression(call)
                        if matches!(
                            crate::ast_util::callee_name(call),
                            Some("set" | "push" | "add" | "unshift")
                        ) =>
                    {
                        self.place(as_member(&call.callee)?.object())?.entry_of()?
                    }
                    _ => return None,
                };
                is_instance_field(&place).then_some((class, place))
            })
    }

    /// A `new` of the class that the file runs repeatedly, and how it knows: per request, in a
    /// function with evidence that it runs again (a listener, a function handed out, a
    /// framework hook), or in a method (not the constructor) of an object that is itself ended
    /// and opened again.
    /// The class whose instance field initializer holds a node (`cache = new Cache()` in a class
    /// body), outside every function.
    pub fn field_initializer_owner(&self, node: NodeId) -> Option<Class> {
        let nodes = self.semantic().nodes();
        for ancestor in nodes.ancestor_ids(node) {
            match nodes.kind(ancestor) {
                AstKind::PropertyDefinition(property) if !property.r#static => {
                    let class = nodes.parent_id(nodes.parent_id(ancestor));
                    return self.class_at(class);
                }
                kind if kind.is_function_like() => return None,
                _ => {}
            }
        }
        None
    }

    /// The functions of an instance that run when `start` runs: `start` itself, the methods it
    /// calls on `this` (`this.destroy()`, `this.#dispose()`), and the listeners the instance
    /// registered for an event it emits (`this.emit('dispose')` reaching the constructor's
    /// `this.once('dispose', () => this.#dispose())`), followed transitively, a few levels deep.
    pub fn reached_from(&self, class: Class, start: NodeId) -> Vec<NodeId> {
        let nodes = self.semantic().nodes();
        // Methods by field: public by name, and an ES class's `#private` ones.
        let mut by_field: Vec<(Field<'a>, NodeId)> = self
            .methods(class)
            .into_iter()
            .filter_map(|m| Some((Field::Public(m.name?), m.function)))
            .collect();
        if let AstKind::Class(node) = nodes.kind(class.node) {
            for element in &node.body.body {
                if let ClassElement::MethodDefinition(method) = element {
                    if let PropertyKey::PrivateIdentifier(id) = &method.key {
                        by_field.push((Field::Private(id.name.as_str()), method.value.node_id()));
                    }
                }
            }
        }
        // Listeners the instance's code registers, by event and receiver.
        let all_methods: Vec<NodeId> = by_field.iter().map(|(_, f)| *f).collect();
        let mut listeners: Vec<(Place<'a>, &'a str, NodeId)> = Vec::new();
        for &method in &all_methods {
            for node in self.nodes_within(method) {
                let AstKind::CallExpression(call) = node.kind() else {
                    continue;
                };
                let Some(registration) = crate::protocols::Registration::of(call) else {
                    continue;
                };
                let (Some(event), Some(receiver), Some(handler)) = (
                    registration.event.and_then(crate::ast_util::string_value),
                    self.place(registration.receiver),
                    crate::ast_util::as_function_node(registration.handler),
                ) else {
                    continue;
                };
                if receiver.is_this() {
                    listeners.push((receiver, event, handler));
                }
            }
        }
        let mut reached = vec![start];
        let mut next = 0;
        while next < reached.len() && reached.len() < 32 {
            let function = reached[next];
            next += 1;
            for node in self.nodes_within(function) {
                let AstKind::CallExpression(call) = node.kind() else {
                    continue;
                };
                let mut found: Vec<NodeId> = Vec::new();
                if let Some(callee) = self.place(&call.callee) {
                    if callee.is_this() && callee.fields.len() == 1 {
                        found.extend(
                            by_field
                                .iter()
                                .filter(|(field, _)| *field == callee.fields[0])
                                .map(|(_, f)| *f),
                        );
                    }
                }
                if crate::ast_util::callee_name(call) == Some("emit") {
                    let emitter = as_member(&call.callee).and_then(|m| self.place(m.object()));
                    let event = call
                        .arguments
                        .first()
                        .and_then(|a| a.as_expression())
                        .and_then(crate::ast_util::string_value);
                    if let (Some(emitter), Some(event)) = (emitter, event) {
                        found.extend(
                            listeners
                                .iter()
                                .filter(|(place, e, _)| *e == event && place.same_place(&emitter))
                                .map(|(_, _, handler)| *handler),
                        );
                    }
                }
                for f in found {
                    if !reached.contains(&f) {
                        reached.push(f);
                    }
                }
            }
        }
        reached
    }

    /// Whether only the instance can reach a field: `#timer`, or a TypeScript `private` or
    /// `protected` field (declared in the class body or as a constructor parameter property).
    pub fn is_private_field(&self, class: Class, field: Field<'_>) -> bool {
        let name = match field {
            Field::Private(_) => return true,
            Field::Public(name) => name,
        };
        let AstKind::Class(node) = self.semantic().nodes().kind(class.node) else {
            return false;
        };
        let hidden = |accessibility: Option<oxc_ast::ast::TSAccessibility>| {
            matches!(
                accessibility,
                Some(
                    oxc_ast::ast::TSAccessibility::Private
                        | oxc_ast::ast::TSAccessibility::Protected
                )
            )
        };
        node.body.body.iter().any(|element| match element {
            ClassElement::PropertyDefinition(property) => {
                key_name(&property.key) == Some(name) && hidden(property.accessibility)
            }
            ClassElement::MethodDefinition(method)
                if method.kind == MethodDefinitionKind::Constructor =>
            {
                method.value.params.items.iter().any(|param| {
                    hidden(param.accessibility)
                        && param
                            .pattern
                            .get_binding_identifier()
                            .is_some_and(|id| id.name == name)
                })
            }
            _ => false,
        })
    }

    /// A `new` of the class made with each instance of another class (in its constructor or a
    /// field initializer) whose instances come and go, having an end: the part is made again
    /// with every whole. The creation and the whole.
    pub fn made_with_ended_owner(&self, class: Class) -> Option<(NodeId, Class)> {
        self.creations(class).into_iter().find_map(|creation| {
            let creator = match self.instance_owner(creation) {
                Some((creator, method)) if method.constructor => creator,
                Some(_) => return None,
                None => self.field_initializer_owner(creation)?,
            };
            (creator.node != class.node && !self.teardowns(creator).is_empty())
                .then_some((creation, creator))
        })
    }

    pub fn made_again(&self, class: Class) -> Option<(NodeId, String)> {
        self.creations(class).into_iter().find_map(|creation| {
            if let Some(why) = self.request_context(creation) {
                return Some((creation, format!("inside {why}")));
            }
            if let Some(again) = self
                .enclosing_function(creation)
                .and_then(|f| self.runs_again(f))
            {
                let function = if again.name == "the listener" || again.name == "the effect" {
                    "a function".to_string()
                } else {
                    format!("`{}`", again.name)
                };
                return Some((creation, format!("in {function} {}", again.evidence.why())));
            }
            let (creator, method) = self.instance_owner(creation)?;
            if method.constructor || self.teardowns(creator).is_empty() {
                return None;
            }
            let name = method.name.unwrap_or("a method");
            Some((
                creation,
                format!(
                    "on every `{name}()` of {}, which can be ended and run again",
                    self.class_label(creator)
                ),
            ))
        })
    }

    /// A class as messages name it: `` `Session` ``, or "this class".
    pub fn class_label(&self, class: Class) -> String {
        class.binding.map_or_else(
            || "this class".to_string(),
            |symbol| format!("`{}`", self.semantic().scoping().symbol_name(symbol)),
        )
    }
}

/// Where a place outside an instance comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outside {
    /// `process`, `window`, `document`, `globalThis`.
    Global,
    /// A module-level binding or an import: shared by every instance.
    Shared,
    /// A parameter of the constructor (the symbol), or a field holding one.
    HandedIn(SymbolId),
}

/// Globals that live as long as the process or page.
pub const GLOBAL_OBJECTS: &[&str] = &[
    "process",
    "window",
    "document",
    "globalThis",
    "global",
    "navigator",
];

/// A method's name: a plain key, or `dispose` for `[Symbol.dispose]` (`asyncDispose` likewise).
fn key_name<'a>(key: &PropertyKey<'a>) -> Option<&'a str> {
    if let Some(name) = property_key_name(key) {
        return Some(name);
    }
    let expr = key.as_expression()?;
    let member = as_member(expr)?;
    match (strip(member.object()), member_name(member)) {
        (Expression::Identifier(symbol), Some(name @ ("dispose" | "asyncDispose")))
            if symbol.name == "Symbol" =>
        {
            Some(if name == "dispose" {
                "dispose"
            } else {
                "asyncDispose"
            })
        }
        _ => None,
    }
}

/// Why a function can run again: the references that register or expose it, or the framework
/// hook that runs it.
#[derive(Debug, Clone)]
pub struct RunsAgain {
    /// The function with the evidence (the one asked about, or a function that calls it).
    pub function: NodeId,
    /// Its name.
    pub name: String,
    /// Where it is registered as a listener or handed out as a value; empty for a hook.
    pub references: Vec<NodeId>,
    pub evidence: Evidence,
    /// Whether the evidence is about the function asked about itself, not about a function
    /// that calls it (whose call may sit in a branch that runs once, as a protocol's last
    /// handshake step does inside a `data` listener).
    pub direct: bool,
}

/// What shows that a function runs again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// A framework hook called on every update of one instance (`componentDidUpdate`).
    UpdateHook,
    /// A component's effect or mount hook: once for each component mounted.
    MountHook,
    /// Registered as a listener.
    Listener,
    /// Handed out as a value for others to call.
    HandedOut,
}

impl Evidence {
    /// The evidence in words, for messages.
    pub fn why(self) -> &'static str {
        match self {
            Evidence::UpdateHook => "a framework hook that runs on every update",
            Evidence::MountHook => {
                "a component's effect or lifecycle hook, which runs on every mount"
            }
            Evidence::Listener => "registered as a listener",
            Evidence::HandedOut => "handed out for others to call",
        }
    }

    /// Whether it runs again on the same object or state (a listener, a function handed out, an
    /// update hook), not only once for each new component mounted (an effect, a mount hook).
    pub fn same_state(self) -> bool {
        self != Evidence::MountHook
    }
}

/// How many calls out `runs_again` looks for evidence.
const RUNS_AGAIN_DEPTH: usize = 4;

/// Lifecycle methods frameworks call again and again on one instance.
const REPEATED_HOOKS: &[&str] = &[
    "componentDidUpdate",
    "componentWillReceiveProps",
    "UNSAFE_componentWillReceiveProps",
    "updated",
    "ngOnChanges",
    "ngDoCheck",
    "ngAfterViewChecked",
];

impl LifetimeModel<'_, '_> {
    /// Evidence that `function` runs again while what it started may still be running: it, or
    /// a function that calls it (up to four calls out), is registered as a listener, handed out
    /// as a value for others to call (a property of an object, an argument, a return value),
    /// or is a framework hook that runs on every update. Several calls alone are no evidence:
    /// they may be branches of code that runs once.
    pub fn runs_again(&self, function: NodeId) -> Option<RunsAgain> {
        self.runs_again_within(function, RUNS_AGAIN_DEPTH)
    }

    fn runs_again_within(&self, function: NodeId, depth: usize) -> Option<RunsAgain> {
        if depth == 0 {
            return None;
        }
        let found = |name: &str, references: Vec<NodeId>, evidence: Evidence| RunsAgain {
            function,
            name: name.to_string(),
            references,
            evidence,
            direct: depth == RUNS_AGAIN_DEPTH,
        };
        if let Some((_, method)) = self.member_of(function) {
            if let Some(name) = method.name.filter(|name| REPEATED_HOOKS.contains(name)) {
                return Some(found(name, Vec::new(), Evidence::UpdateHook));
            }
        }
        // A component's effect or lifecycle hook runs on every mount.
        let hook = self.hook_of(function);
        if hook.is_some() || self.is_effect(function) {
            let name = hook
                .map(|(name, _)| name)
                .or_else(|| self.function(function).and_then(|facts| facts.name))
                .unwrap_or("the effect");
            return Some(found(name, Vec::new(), Evidence::MountHook));
        }
        // `window.addEventListener('resize', () => { … })`: the function is itself a listener.
        if self.passed_as_listener(function) {
            let name = self
                .function(function)
                .and_then(|facts| facts.name)
                .unwrap_or("the listener");
            return Some(found(name, vec![function], Evidence::Listener));
        }
        let (name, references) = self.references_to(function)?;
        for evidence in [Evidence::Listener, Evidence::HandedOut] {
            let showing: Vec<NodeId> = references
                .iter()
                .copied()
                .filter(|&reference| match evidence {
                    Evidence::Listener => self.passed_as_listener(reference),
                    _ => self.handed_out(reference),
                })
                .collect();
            if !showing.is_empty() {
                return Some(found(&name, showing, evidence));
            }
        }
        references
            .iter()
            .filter(|&&reference| self.is_callee(reference))
            .filter_map(|&reference| self.enclosing_function(reference))
            .find_map(|caller| self.runs_again_within(caller, depth - 1))
    }

    /// The name of a function and the places that refer to it: the references of its binding,
    /// or `this.name` in its class's methods for a method or a field holding an arrow. Reads of
    /// a property of the function object (`start.timer`) are not references to it.
    fn references_to(&self, function: NodeId) -> Option<(String, Vec<NodeId>)> {
        let nodes = self.semantic().nodes();
        let (name, references): (String, Vec<NodeId>) = match self.binding_of_function(function) {
            Some(symbol) => {
                let scoping = self.semantic().scoping();
                let references = scoping
                    .get_resolved_references(symbol)
                    .filter(|reference| reference.is_read())
                    .map(|reference| reference.node_id())
                    .collect();
                (scoping.symbol_name(symbol).to_string(), references)
            }
            None => {
                let (class, method) = self.member_of(function)?;
                let name = method.name?;
                let references = self
                    .methods(class)
                    .iter()
                    .flat_map(|m| self.nodes_within(m.function))
                    .filter(|inner| {
                        let AstKind::StaticMemberExpression(member) = inner.kind() else {
                            return false;
                        };
                        member.property.name == name
                            && matches!(strip(&member.object), Expression::ThisExpression(_))
                    })
                    .map(|inner| inner.id())
                    .collect();
                (name.to_string(), references)
            }
        };
        let references = references
            .into_iter()
            .filter(|&reference| {
                !matches!(nodes.parent_kind(reference), AstKind::StaticMemberExpression(member)
                    if member.object.span() == nodes.kind(reference).span())
            })
            .collect();
        Some((name, references))
    }

    /// The binding that names a function: its own (`function f`) or the `const` it initialises
    /// (`const f = () => …`).
    fn binding_of_function(&self, function: NodeId) -> Option<SymbolId> {
        self.function_binding(function).or_else(|| {
            match self.semantic().nodes().parent_kind(function) {
                AstKind::VariableDeclarator(declarator) => declarator
                    .id
                    .get_binding_identifier()
                    .and_then(|id| id.symbol_id.get()),
                _ => None,
            }
        })
    }

    /// The calls of a function in the file: through the binding that names it, or, for a method,
    /// on `this` or an alias of it in its class's methods (`self.subscribe(…)`).
    /// Whether a function is the executor of a `new Promise(…)`.
    pub fn is_promise_executor(&self, function: NodeId) -> bool {
        let (_, parent) = crate::ast_util::value_parent(self.semantic(), function);
        matches!(parent, AstKind::NewExpression(new)
            if matches!(strip(&new.callee), Expression::Identifier(p) if p.name == "Promise"))
    }

    /// The binding a value initialises, if it is never assigned again (`const x = <value>`).
    fn kept_in_const(&self, value: NodeId) -> Option<SymbolId> {
        let (_, parent) = crate::ast_util::value_parent(self.semantic(), value);
        let AstKind::VariableDeclarator(declarator) = parent else {
            return None;
        };
        let symbol = declarator.id.get_binding_identifier()?.symbol_id.get()?;
        (!self.semantic().scoping().symbol_is_mutated(symbol)).then_some(symbol)
    }

    /// A call of `function` in code that runs per request: by name or `this`, through an
    /// instance the file keeps in a `const`, or of the closure a factory returns. The evidence
    /// that a function the file does not register anywhere still runs on every request.
    pub fn called_per_request(&self, function: NodeId) -> Option<NodeId> {
        self.calls_through_instances(function)
            .into_iter()
            .chain(self.calls_of(function))
            .chain(self.calls_of_returned(function))
            .find(|&call| self.runs_at(call) == crate::FunctionRuns::PerRequest)
    }

    /// The calls of a class's method through the instances the file makes and keeps in a
    /// `const` (`const rates = new RateCache(); … rates.put(k, v)`): what `calls_of` cannot see,
    /// since the receiver is not `this`.
    pub fn calls_through_instances(&self, function: NodeId) -> Vec<NodeId> {
        let Some((
            class,
            Method {
                name: Some(name), ..
            },
        )) = self.member_of(function)
        else {
            return Vec::new();
        };
        let nodes = self.semantic().nodes();
        let scoping = self.semantic().scoping();
        let mut calls = Vec::new();
        for symbol in self
            .creations(class)
            .into_iter()
            .filter_map(|creation| self.kept_in_const(creation))
        {
            for reference in scoping.get_resolved_references(symbol) {
                let member = nodes.parent_id(reference.node_id());
                if !matches!(nodes.kind(member), AstKind::StaticMemberExpression(m) if m.property.name == name)
                {
                    continue;
                }
                let call = nodes.parent_id(member);
                if matches!(nodes.kind(call), AstKind::CallExpression(c) if c.callee.span() == nodes.kind(member).span())
                {
                    calls.push(call);
                }
            }
        }
        calls
    }

    /// The calls of a function a factory returns, through the `const`s its calls are kept in
    /// (`const lookup = memoize(fetchGeo); … lookup(ip)` for the closure `memoize` returns).
    pub fn calls_of_returned(&self, function: NodeId) -> Vec<NodeId> {
        let nodes = self.semantic().nodes();
        let scoping = self.semantic().scoping();
        let (_, parent) = crate::ast_util::value_parent(self.semantic(), function);
        if !matches!(parent, AstKind::ReturnStatement(_)) {
            return Vec::new();
        }
        let Some(factory) = self.enclosing_function(nodes.parent_id(function)) else {
            return Vec::new();
        };
        let mut calls = Vec::new();
        for symbol in self
            .calls_of(factory)
            .into_iter()
            .filter_map(|made| self.kept_in_const(made))
        {
            calls.extend(
                scoping
                    .get_resolved_references(symbol)
                    .map(|reference| reference.node_id())
                    .filter(|&reference| self.is_callee(reference))
                    .map(|reference| nodes.parent_id(reference)),
            );
        }
        calls
    }

    pub fn calls_of(&self, function: NodeId) -> Vec<NodeId> {
        let nodes = self.semantic().nodes();
        if let Some(symbol) = self.binding_of_function(function) {
            return self
                .semantic()
                .scoping()
                .get_resolved_references(symbol)
                .map(|reference| reference.node_id())
                .filter(|&reference| self.is_callee(reference))
                .map(|reference| nodes.parent_id(reference))
                .collect();
        }
        let Some((
            class,
            Method {
                name: Some(name), ..
            },
        )) = self.member_of(function)
        else {
            return Vec::new();
        };
        self.methods(class)
            .iter()
            .flat_map(|m| self.nodes_within(m.function))
            .filter(|inner| {
                let AstKind::CallExpression(call) = inner.kind() else {
                    return false;
                };
                self.place(&call.callee).is_some_and(|callee| {
                    matches!(callee.root, PlaceRoot::This(owner)
                        if owner.is_none_or(|o| o == class.node))
                        && callee.fields.as_slice() == [Field::Public(name)]
                })
            })
            .map(|inner| inner.id())
            .collect()
    }

    /// Whether a reference is the callee of a call (`f()`, `this.start()`).
    fn is_callee(&self, reference: NodeId) -> bool {
        let nodes = self.semantic().nodes();
        let (child, parent) = crate::ast_util::value_parent(self.semantic(), reference);
        matches!(parent, AstKind::CallExpression(call)
            if call.callee.span() == nodes.kind(child).span())
    }

    /// Whether a reference hands the function out as a value others may call whenever they
    /// like: a property of an object literal, a return value, an element of an array, a JSX
    /// prop, or stored in a property (`el.onclick = f`). A module's exports are not: an exported
    /// `init` is as likely called once as an exported `subscribe` many times. Nor is an argument:
    /// most callbacks handed to a call (`ready(f)`, `then(f)`, `init(opts, f)`) run once.
    fn handed_out(&self, reference: NodeId) -> bool {
        let nodes = self.semantic().nodes();
        let (child, parent) = crate::ast_util::value_parent(self.semantic(), reference);
        match parent {
            AstKind::ObjectProperty(_) => !self.is_exported_object(nodes.parent_id(child)),
            AstKind::ReturnStatement(_)
            | AstKind::ArrayExpression(_)
            | AstKind::JSXExpressionContainer(_) => true,
            AstKind::AssignmentExpression(assign) => {
                assign.right.span() == nodes.kind(child).span()
                    && matches!(written(&assign.left), Some(Written::Member(member))
                        if !is_exports_target(member.object()))
            }
            _ => false,
        }
    }

    /// Whether the object literal holding a property is a module's exports (`module.exports =
    /// { … }`, `export default { … }`, `export { … }` is not an object).
    fn is_exported_object(&self, property: NodeId) -> bool {
        let nodes = self.semantic().nodes();
        let object = nodes.parent_id(property);
        let (_, holder) = crate::ast_util::value_parent(self.semantic(), object);
        match holder {
            AstKind::ExportDefaultDeclaration(_) => true,
            AstKind::AssignmentExpression(assign) => match written(&assign.left) {
                // `exports.api = { … }`, `module.exports.api = { … }`, `module.exports = { … }`
                Some(Written::Member(member)) => {
                    is_exports_target(member.object())
                        || (member_name(member) == Some("exports")
                            && matches!(strip(member.object()),
                                Expression::Identifier(module) if module.name == "module"))
                }
                Some(Written::Binding(ident)) => ident.name == "exports",
                None => false,
            },
            _ => false,
        }
    }

    /// Whether a reference is an argument of a listener registration (`el.addEventListener('x',
    /// f)`, `emitter.on('x', f)`).
    fn passed_as_listener(&self, reference: NodeId) -> bool {
        let nodes = self.semantic().nodes();
        let (child, parent) = crate::ast_util::value_parent(self.semantic(), reference);
        let AstKind::CallExpression(call) = parent else {
            return false;
        };
        let by_argument = call
            .arguments
            .iter()
            .any(|argument| argument.span() == nodes.kind(child).span());
        by_argument
            && matches!(
                crate::ast_util::callee_name(call),
                Some("addEventListener" | "on" | "addListener" | "once")
            )
    }
}

impl LifetimeModel<'_, '_> {
    /// For the executor of a `new Promise((resolve, reject) => …)`, its `resolve` and `reject`
    /// bindings (either may be missing).
    pub fn promise_settlers(&self, function: NodeId) -> Option<[Option<SymbolId>; 2]> {
        let nodes = self.semantic().nodes();
        let (child, parent) = crate::ast_util::value_parent(self.semantic(), function);
        let AstKind::NewExpression(new) = parent else {
            return None;
        };
        let is_promise = matches!(strip(&new.callee), Expression::Identifier(ident)
            if ident.name == "Promise" && self.symbol_of(ident).is_none());
        let first = new.arguments.first()?.as_expression()?;
        if !is_promise || first.span() != nodes.kind(child).span() {
            return None;
        }
        let params = crate::ast_util::function_params(&nodes.kind(function))?;
        let binding = |index: usize| {
            params
                .items
                .get(index)?
                .pattern
                .get_binding_identifier()?
                .symbol_id
                .get()
        };
        Some([binding(0), binding(1)])
    }
}

/// Where a framework lifecycle hook runs in a component's life: before mount, at mount, on
/// update, before unmount, at unmount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    BeforeMount,
    Mounted,
    BeforeUpdate,
    Updated,
    BeforeUnmount,
    Unmounted,
}

/// Vue's composition hooks, called with a callback, and where they run.
const VUE_HOOKS: &[(&str, Stage)] = &[
    ("onBeforeMount", Stage::BeforeMount),
    ("onMounted", Stage::Mounted),
    ("onBeforeUpdate", Stage::BeforeUpdate),
    ("onUpdated", Stage::Updated),
    ("onBeforeUnmount", Stage::BeforeUnmount),
    ("onUnmounted", Stage::Unmounted),
];

/// Modules Vue's composition hooks are imported from.
const VUE_MODULES: &[&str] = &[
    "vue",
    "@vue/runtime-core",
    "@vue/composition-api",
    "vue-demi",
];

/// Lifecycle methods of components (Vue's options API, React classes, Angular), and where they
/// run.
const HOOK_METHODS: &[(&str, Stage)] = &[
    ("beforeMount", Stage::BeforeMount),
    ("mounted", Stage::Mounted),
    ("beforeUpdate", Stage::BeforeUpdate),
    ("updated", Stage::Updated),
    ("beforeUnmount", Stage::BeforeUnmount),
    ("beforeDestroy", Stage::BeforeUnmount),
    ("unmounted", Stage::Unmounted),
    ("destroyed", Stage::Unmounted),
    ("componentWillMount", Stage::BeforeMount),
    ("UNSAFE_componentWillMount", Stage::BeforeMount),
    ("componentDidMount", Stage::Mounted),
    ("componentDidUpdate", Stage::Updated),
    ("componentWillUnmount", Stage::BeforeUnmount),
    ("ngOnInit", Stage::Mounted),
    ("ngAfterViewInit", Stage::Mounted),
    ("ngOnDestroy", Stage::BeforeUnmount),
];

impl<'a> LifetimeModel<'_, 'a> {
    /// The component lifecycle hook the code at `node` runs in, with its name: the innermost
    /// enclosing function that is a hook's callback (`onMounted(() => …)` from Vue) or a
    /// lifecycle method (`componentDidMount() {}`, `mounted() {}`).
    pub fn lifecycle_hook(&self, node: NodeId) -> Option<(&'a str, Stage)> {
        let nodes = self.semantic().nodes();
        let mut current = self.enclosing_function(node);
        while let Some(function) = current {
            if let Some(found) = self.hook_of(function) {
                return Some(found);
            }
            current = self.enclosing_function(nodes.parent_id(function));
        }
        None
    }

    fn hook_of(&self, function: NodeId) -> Option<(&'a str, Stage)> {
        let nodes = self.semantic().nodes();
        let name = match nodes.parent_kind(function) {
            AstKind::MethodDefinition(method) => key_name(&method.key),
            AstKind::ObjectProperty(property) => key_name(&property.key),
            AstKind::PropertyDefinition(property) => key_name(&property.key),
            _ => None,
        };
        if let Some(name) = name {
            return HOOK_METHODS
                .iter()
                .find(|(hook, _)| *hook == name)
                .map(|&(_, stage)| (name, stage));
        }
        let (child, parent) = crate::ast_util::value_parent(self.semantic(), function);
        let AstKind::CallExpression(call) = parent else {
            return None;
        };
        let Expression::Identifier(callee) = strip(&call.callee) else {
            return None;
        };
        let first = call.arguments.first()?.as_expression()?;
        if first.span() != nodes.kind(child).span() {
            return None;
        }
        let symbol = self.symbol_of(callee)?;
        let origin = self.import_origin(symbol)?;
        if !VUE_MODULES.iter().any(|module| origin.is_module(module)) {
            return None;
        }
        let name = origin.export.unwrap_or(callee.name.as_str());
        VUE_HOOKS
            .iter()
            .find(|(hook, _)| *hook == name)
            .map(|&(_, stage)| (name, stage))
    }
}

/// `module.exports` or `exports`: what a property written on it exports.
fn is_exports_target(object: &Expression<'_>) -> bool {
    crate::ast_util::is_dotted_path(object, "module.exports")
        || matches!(strip(object), Expression::Identifier(ident) if ident.name == "exports")
}

/// Whether a method name ends an instance: a built-in teardown name or a configured one, in
/// any case (`Stop`, `Dispose`).
pub fn is_teardown_name(name: &str, extra: &[String]) -> bool {
    TEARDOWN_METHODS
        .iter()
        .any(|teardown| teardown.eq_ignore_ascii_case(name))
        || extra.iter().any(|e| e.eq_ignore_ascii_case(name))
}

/// React's effect hooks: their callback runs after every mount (and every change of its
/// dependencies), and its returned function is the cleanup.
const REACT_EFFECTS: &[&str] = &["useEffect", "useLayoutEffect", "useInsertionEffect"];

impl LifetimeModel<'_, '_> {
    /// Whether a function is the callback of a React effect (`useEffect(() => …)`, imported from
    /// React or Preact, or `React.useEffect`).
    pub fn is_effect(&self, function: NodeId) -> bool {
        let nodes = self.semantic().nodes();
        let (child, parent) = crate::ast_util::value_parent(self.semantic(), function);
        let AstKind::CallExpression(call) = parent else {
            return false;
        };
        let first = call.arguments.first().and_then(|a| a.as_expression());
        if first.is_none_or(|first| first.span() != nodes.kind(child).span()) {
            return false;
        }
        match strip(&call.callee) {
            Expression::Identifier(ident) => {
                let origin = self.symbol_of(ident).and_then(|s| self.import_origin(s));
                origin.is_some_and(|origin| {
                    ["react", "preact/hooks", "preact/compat"]
                        .iter()
                        .any(|module| origin.is_module(module))
                        && REACT_EFFECTS.contains(&origin.export.unwrap_or(ident.name.as_str()))
                })
            }
            other => as_member(other).is_some_and(|member| {
                member_name(member).is_some_and(|name| REACT_EFFECTS.contains(&name))
                    && matches!(strip(member.object()), Expression::Identifier(react) if react.name == "React")
            }),
        }
    }
}

impl<'a> LifetimeModel<'_, 'a> {
    /// Every function of the file with a name, and the name: its own, or what it is assigned
    /// to (`hub.destroy = function () {}`, `{ close() {} }`). Found once per file.
    pub fn named_functions(&self) -> &[(NodeId, &'a str)] {
        self.named_functions.get_or_init(|| {
            let nodes = self.semantic().nodes();
            nodes
                .iter()
                .filter(|node| {
                    matches!(
                        node.kind(),
                        AstKind::Function(_) | AstKind::ArrowFunctionExpression(_)
                    )
                })
                .filter_map(|node| {
                    let assigned = match crate::ast_util::value_parent(self.semantic(), node.id()).1
                    {
                        AstKind::AssignmentExpression(assign) => match written(&assign.left) {
                            Some(Written::Member(member)) => member_name(member),
                            _ => None,
                        },
                        AstKind::ObjectProperty(property) => property_key_name(&property.key),
                        _ => None,
                    };
                    let name = assigned
                        .or_else(|| self.function(node.id()).and_then(|facts| facts.name))?;
                    Some((node.id(), name))
                })
                .collect()
        })
    }
}

/// The binding that names a function: its own (`function X() {}`), or the one a function
/// expression initialises (`const X = function () {}`).
fn function_binding(semantic: &oxc_semantic::Semantic<'_>, function: NodeId) -> Option<SymbolId> {
    let nodes = semantic.nodes();
    match nodes.kind(function) {
        AstKind::Function(f) if f.id.is_some() && f.is_declaration() => {
            f.id.as_ref()?.symbol_id.get()
        }
        AstKind::Function(_) => match nodes.parent_kind(function) {
            AstKind::VariableDeclarator(declarator) => declarator
                .id
                .get_binding_identifier()
                .and_then(|id| id.symbol_id.get()),
            _ => None,
        },
        _ => None,
    }
}

/// Whether the file uses a binding as a class: `new X`, or reads `X.prototype`.
fn used_as_class(semantic: &oxc_semantic::Semantic<'_>, binding: SymbolId) -> bool {
    let nodes = semantic.nodes();
    semantic
        .scoping()
        .get_resolved_references(binding)
        .any(|reference| {
            let id = reference.node_id();
            match nodes.parent_kind(id) {
                AstKind::NewExpression(new) => new.callee.span() == nodes.kind(id).span(),
                AstKind::StaticMemberExpression(member) => member.property.name == "prototype",
                _ => false,
            }
        })
}

/// Whether a function is a constructor function of the file (see
/// [`crate::LifetimeModel::constructor_function`]), asked of the semantic model alone.
pub(crate) fn is_constructor_function(
    semantic: &oxc_semantic::Semantic<'_>,
    function: NodeId,
) -> bool {
    function_binding(semantic, function).is_some_and(|binding| used_as_class(semantic, binding))
}
