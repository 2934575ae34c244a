//! The control-flow graph of one function, built from its statements the first time a rule
//! follows paths in it.
//!
//! The graph is oxc's (`oxc_cfg`), built with its builder exactly as oxc's semantic pass builds
//! it, statement for statement: the same blocks, instructions and edges (normal, jump, back,
//! error, finalize), so that [`super::Paths`] reads it as it would read the semantic pass's.
//! Only statements matter to the paths a rule follows, so two things get no blocks of their own:
//! branches inside an expression (`a && b()`, `c ? d : e`) and nested functions and classes,
//! whose code does not run where it is written (each is a graph of its own when asked for).
//!
//! Building here, per function and on demand, is what lets the semantic model be built once per
//! file and without its `cfg` feature, which records a block for every node of every file.

use oxc_ast::{
    ast::{ArrowFunctionBody, Declaration, ForStatementInit, ForStatementLeft, Statement},
    AstKind,
};
use oxc_cfg::{
    BlockNodeId, ControlFlowGraph, ControlFlowGraphBuilder, CtxCursor, CtxFlags, EdgeType,
    ErrorEdgeKind, InstructionKind, IterationInstructionKind, ReturnInstructionKind,
};
use oxc_semantic::{AstNodes, NodeId};
use rustc_hash::FxHashMap;

use leaklint_model::ast_util::expr_node_id;

/// One function's control-flow graph.
pub struct FunctionGraph {
    pub cfg: ControlFlowGraph,
    /// Where the function's code starts.
    pub entry: BlockNodeId,
    /// The block holding each statement's instruction (statements, `return`s, `throw`s).
    blocks: FxHashMap<NodeId, BlockNodeId>,
}

impl FunctionGraph {
    /// The graph of a function, arrow function, class static block or the program, or `None`
    /// for any other node.
    pub fn build(function: NodeId, nodes: &AstNodes<'_>) -> Option<Self> {
        let mut builder = Builder {
            cfg: ControlFlowGraphBuilder::default(),
            blocks: FxHashMap::default(),
        };
        let entry = match nodes.kind(function) {
            AstKind::Program(program) => builder.program(&program.body),
            AstKind::Function(function) => {
                builder.function(function.body.as_ref().map_or(&[][..], |b| &b.statements))
            }
            // An expression body has no statements: the function only ends.
            AstKind::ArrowFunctionExpression(arrow) => match &arrow.body {
                ArrowFunctionBody::FunctionBody(body) => builder.function(&body.statements),
                _ => builder.function(&[]),
            },
            AstKind::StaticBlock(block) => builder.function(&block.body),
            _ => return None,
        };
        Some(Self {
            cfg: builder.cfg.build(),
            entry,
            blocks: builder.blocks,
        })
    }

    /// The block of a statement of this function (not of a nested one).
    pub fn block_of(&self, statement: NodeId) -> Option<BlockNodeId> {
        self.blocks.get(&statement).copied()
    }
}

struct Builder<'a> {
    cfg: ControlFlowGraphBuilder<'a>,
    blocks: FxHashMap<NodeId, BlockNodeId>,
}

impl<'a> Builder<'a> {
    fn program(&mut self, body: &[Statement<'a>]) -> BlockNodeId {
        let harness = self.cfg.attach_error_harness(ErrorEdgeKind::Implicit);
        let entry = self.cfg.new_basic_block_normal();
        self.statements(body);
        self.cfg.release_error_harness(harness);
        entry
    }

    fn function(&mut self, body: &[Statement<'a>]) -> BlockNodeId {
        let cfg = &mut self.cfg;
        cfg.push_finalization_stack();
        let harness = cfg.attach_error_harness(ErrorEdgeKind::Implicit);
        let entry = cfg.new_basic_block_function();
        cfg.ctx(None).new_function();
        self.statements(body);
        let cfg = &mut self.cfg;
        // A function ending in a `return` or `throw` has no implicit return.
        if !matches!(
            cfg.current_basic_block()
                .instructions()
                .last()
                .map(|i| i.kind),
            Some(InstructionKind::Unreachable)
        ) {
            cfg.push_implicit_return();
        }
        cfg.ctx(None).resolve_expect(CtxFlags::FUNCTION);
        cfg.release_error_harness(harness);
        cfg.pop_finalization_stack();
        entry
    }

    fn statements(&mut self, statements: &[Statement<'a>]) {
        for statement in statements {
            self.statement(statement);
        }
    }

    /// A statement's own instruction, in the current block.
    fn instruction(&mut self, node: NodeId) {
        self.blocks.insert(node, self.cfg.current_node_ix);
        self.cfg.push_statement(node);
    }

    fn normal(&mut self) -> BlockNodeId {
        self.cfg.new_basic_block_normal()
    }

    fn edge(&mut self, from: BlockNodeId, to: BlockNodeId, edge: EdgeType) {
        self.cfg.add_edge(from, to, edge);
    }

    fn current(&self) -> BlockNodeId {
        self.cfg.current_node_ix
    }

    #[allow(clippy::too_many_lines)] // one arm per kind of statement, as in oxc's builder
    fn statement(&mut self, statement: &Statement<'a>) {
        match statement {
            Statement::BlockStatement(block) => {
                self.instruction(block.node_id());
                self.statements(&block.body);
            }
            Statement::ExpressionStatement(_)
            | Statement::VariableDeclaration(_)
            | Statement::EmptyStatement(_)
            | Statement::DebuggerStatement(_)
            | Statement::ExportDefaultDeclaration(_) => self.instruction(statement.node_id()),
            Statement::ExportDeclaration(export) => {
                if let Declaration::VariableDeclaration(declaration) = &export.declaration {
                    self.instruction(declaration.node_id());
                }
            }
            Statement::ReturnStatement(ret) => {
                let kind = if ret.argument.is_some() {
                    ReturnInstructionKind::NotImplicitUndefined
                } else {
                    ReturnInstructionKind::ImplicitUndefined
                };
                self.blocks.insert(ret.node_id(), self.current());
                self.cfg.push_return(kind, Some(ret.node_id()));
                self.cfg.append_unreachable();
            }
            Statement::ThrowStatement(throw) => {
                self.blocks.insert(throw.node_id(), self.current());
                self.cfg.append_throw(throw.node_id());
            }
            Statement::BreakStatement(stmt) => {
                let label = stmt.label.as_ref().map(|l| l.name.as_str());
                self.cfg.append_break(stmt.node_id(), label);
            }
            Statement::ContinueStatement(stmt) => {
                let label = stmt.label.as_ref().map(|l| l.name.as_str());
                self.cfg.append_continue(stmt.node_id(), label);
            }
            Statement::IfStatement(stmt) => {
                self.instruction(stmt.node_id());
                let before = self.current();
                let condition = self.normal();
                self.cfg
                    .append_condition_to(condition, Some(expr_node_id(&stmt.test)));
                let after_test = self.current();
                let consequent = self.normal();
                self.statement(&stmt.consequent);
                let after_consequent = self.current();
                let alternate = stmt.alternate.as_ref().map(|alternate| {
                    let start = self.normal();
                    self.statement(alternate);
                    (start, self.current())
                });
                let after = self.normal();
                self.edge(before, condition, EdgeType::Normal);
                self.edge(after_test, consequent, EdgeType::Jump);
                self.edge(after_consequent, after, EdgeType::Normal);
                if let Some((start, end)) = alternate {
                    self.edge(after_test, start, EdgeType::Jump);
                    self.edge(end, after, EdgeType::Normal);
                } else {
                    self.edge(after_test, after, EdgeType::Jump);
                }
            }
            Statement::WhileStatement(stmt) => {
                self.instruction(stmt.node_id());
                let before = self.current();
                let condition = self.normal();
                self.cfg
                    .append_condition_to(condition, Some(expr_node_id(&stmt.test)));
                let after_test = self.current();
                let body = self.normal();
                self.open_loop();
                self.statement(&stmt.body);
                let after_body = self.current();
                let after = self.normal();
                self.edge(before, condition, EdgeType::Normal);
                self.edge(after_test, body, EdgeType::Jump);
                self.edge(after_body, condition, EdgeType::Backedge);
                self.edge(after_test, after, EdgeType::Normal);
                self.close_loop(after, condition);
            }
            Statement::DoWhileStatement(stmt) => {
                self.instruction(stmt.node_id());
                let before = self.current();
                let body = self.normal();
                self.open_loop();
                self.statement(&stmt.body);
                let after_body = self.current();
                let condition = self.normal();
                self.cfg
                    .append_condition_to(condition, Some(expr_node_id(&stmt.test)));
                let end_of_condition = self.current();
                let after = self.normal();
                self.edge(before, body, EdgeType::Normal);
                self.edge(after_body, condition, EdgeType::Normal);
                self.edge(end_of_condition, after, EdgeType::Normal);
                self.edge(end_of_condition, body, EdgeType::Backedge);
                self.close_loop(after, condition);
            }
            Statement::ForStatement(stmt) => {
                self.instruction(stmt.node_id());
                if let Some(ForStatementInit::VariableDeclaration(declaration)) = &stmt.init {
                    self.instruction(declaration.node_id());
                }
                let before = self.current();
                let test = self.normal();
                if let Some(condition) = &stmt.test {
                    self.cfg
                        .append_condition_to(test, Some(expr_node_id(condition)));
                }
                let after_test = self.current();
                let update = self.normal();
                let after_update = self.current();
                let body = self.normal();
                self.open_loop();
                self.statement(&stmt.body);
                let after_body = self.current();
                let after = self.normal();
                self.edge(before, test, EdgeType::Normal);
                self.edge(after_test, body, EdgeType::Jump);
                self.edge(after_body, update, EdgeType::Backedge);
                self.edge(after_update, test, EdgeType::Backedge);
                self.edge(after_test, after, EdgeType::Normal);
                self.close_loop(after, update);
            }
            Statement::ForInStatement(stmt) => {
                self.instruction(stmt.node_id());
                if let ForStatementLeft::VariableDeclaration(declaration) = &stmt.left {
                    self.instruction(declaration.node_id());
                }
                let right = expr_node_id(&stmt.right);
                self.iteration(right, IterationInstructionKind::In, &stmt.body);
            }
            Statement::ForOfStatement(stmt) => {
                self.instruction(stmt.node_id());
                if let ForStatementLeft::VariableDeclaration(declaration) = &stmt.left {
                    self.instruction(declaration.node_id());
                }
                let right = expr_node_id(&stmt.right);
                self.iteration(right, IterationInstructionKind::Of, &stmt.body);
            }
            Statement::LabeledStatement(stmt) => {
                self.instruction(stmt.node_id());
                let label = stmt.label.name.as_str();
                let ctx = self.cfg.ctx(Some(label)).default().allow_break();
                if stmt.body.is_iteration_statement() {
                    ctx.allow_continue();
                }
                self.statement(&stmt.body);
                let after_body = self.current();
                let after = self.normal();
                self.edge(after_body, after, EdgeType::Normal);
                self.cfg.ctx(Some(label)).mark_break(after).resolve();
            }
            Statement::SwitchStatement(stmt) => {
                self.instruction(stmt.node_id());
                let discriminant = self.current();
                self.cfg.ctx(None).default().allow_break();
                let mut cases: Vec<(BlockNodeId, BlockNodeId)> = Vec::new();
                let mut has_default = false;
                for case in &stmt.cases {
                    let before_case = self.normal();
                    if let Some(test) = &case.test {
                        let block = self.current();
                        self.cfg
                            .append_condition_to(block, Some(expr_node_id(test)));
                    }
                    let after_test = self.current();
                    let statements = self.normal();
                    self.edge(after_test, statements, EdgeType::Jump);
                    self.statements(&case.consequent);
                    has_default |= case.is_default_case();
                    cases.push((before_case, self.current()));
                }
                for (i, &(start, _)) in cases.iter().enumerate() {
                    // Every case's test can be skipped, to any later case.
                    for &(later, _) in &cases[i + 1..] {
                        self.edge(start, later, EdgeType::Normal);
                    }
                    // A case falls through into the next one.
                    if let Some(&(next, _)) = cases.get(i + 1) {
                        self.edge(cases[i].1, next, EdgeType::Normal);
                    }
                    self.edge(discriminant, start, EdgeType::Normal);
                }
                let after = self.normal();
                if let Some(&(_, end)) = cases.last() {
                    self.edge(end, after, EdgeType::Normal);
                }
                if !has_default {
                    self.edge(discriminant, after, EdgeType::Normal);
                }
                self.cfg.ctx(None).mark_break(after).resolve();
            }
            Statement::TryStatement(stmt) => {
                self.instruction(stmt.node_id());
                let before = self.current();
                let harness = stmt
                    .handler
                    .as_ref()
                    .map(|_| self.cfg.attach_error_harness(ErrorEdgeKind::Explicit));
                let finalizer = stmt.finalizer.as_ref().map(|_| self.cfg.attach_finalizer());
                let try_start = self.normal();
                self.instruction(stmt.block.node_id());
                self.statements(&stmt.block.body);
                let after_try = self.current();
                let catch_end = stmt
                    .handler
                    .as_ref()
                    .zip(harness)
                    .map(|(handler, harness)| {
                        self.cfg.release_error_harness(harness);
                        let catch_start = self.normal();
                        self.edge(harness, catch_start, EdgeType::Normal);
                        self.instruction(handler.body.node_id());
                        self.statements(&handler.body.body);
                        self.current()
                    });
                let finally_end =
                    stmt.finalizer
                        .as_ref()
                        .zip(finalizer)
                        .map(|(block, finalizer)| {
                            self.cfg.release_finalizer(finalizer);
                            let finally_start = self.normal();
                            self.edge(finalizer, finally_start, EdgeType::Normal);
                            self.instruction(block.node_id());
                            self.statements(&block.body);
                            self.current()
                        });
                self.edge(before, try_start, EdgeType::Normal);
                match (catch_end, finally_end) {
                    (Some(catch_end), None) => {
                        let after = self.normal();
                        self.edge(after_try, after, EdgeType::Normal);
                        self.edge(catch_end, after, EdgeType::Normal);
                    }
                    (catch_end, Some(finally_end)) => {
                        let after = self.normal();
                        let edge = if catch_end.is_some() {
                            EdgeType::Normal
                        } else if self.cfg.basic_block(after_try).is_unreachable() {
                            EdgeType::Unreachable
                        } else {
                            EdgeType::Join
                        };
                        self.edge(finally_end, after, edge);
                    }
                    (None, None) => {}
                }
            }
            Statement::WithStatement(stmt) => {
                self.instruction(stmt.node_id());
                let before = self.current();
                let condition = self.normal();
                let body = self.normal();
                self.statement(&stmt.body);
                let after = self.normal();
                self.edge(before, condition, EdgeType::Normal);
                self.edge(condition, body, EdgeType::Normal);
                self.edge(body, after, EdgeType::Normal);
                self.edge(condition, after, EdgeType::Normal);
            }
            // Declarations of functions, classes, types and imports: no code of this function.
            _ => {}
        }
    }

    /// Opens a loop's `break` and `continue` context, before its body.
    fn open_loop(&mut self) {
        self.cfg.ctx(None).default().allow_break().allow_continue();
    }

    /// Closes the loop context [`Self::open_loop`] opened: `break` goes to `after`, `continue` to
    /// `next` (and so does a labeled `continue` to the loop's label).
    fn close_loop(&mut self, after: BlockNodeId, next: BlockNodeId) {
        self.cfg
            .ctx(None)
            .mark_break(after)
            .mark_continue(next)
            .resolve_with_upper_label();
    }

    /// The blocks of a `for … in` / `for … of` loop, after its own instructions.
    fn iteration(&mut self, right: NodeId, kind: IterationInstructionKind, body: &Statement<'a>) {
        let before = self.current();
        let prepare = self.normal();
        let end_of_prepare = self.current();
        let iteration = self.normal();
        self.cfg.append_iteration(Some(right), kind);
        let body_start = self.normal();
        self.open_loop();
        self.statement(body);
        let end_of_body = self.current();
        let after = self.normal();
        self.edge(before, prepare, EdgeType::Normal);
        self.edge(end_of_prepare, iteration, EdgeType::Normal);
        self.edge(iteration, body_start, EdgeType::Jump);
        self.edge(end_of_body, iteration, EdgeType::Backedge);
        self.edge(iteration, after, EdgeType::Normal);
        self.close_loop(after, iteration);
    }
}

#[cfg(test)]
mod tests {
    use oxc_allocator::Allocator;
    use oxc_ast::AstKind;
    use oxc_cfg::{EdgeType, InstructionKind};
    use oxc_parser::Parser;
    use oxc_semantic::{NodeId, Semantic, SemanticBuilder};
    use oxc_span::{GetSpan, SourceType};

    use super::FunctionGraph;

    fn with_semantic(source: &str, check: impl FnOnce(&Semantic<'_>)) {
        let allocator = Allocator::default();
        let parsed = Parser::new(&allocator, source, SourceType::mjs()).parse();
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let semantic = SemanticBuilder::new()
            .with_build_nodes(true)
            .build(&parsed.program)
            .semantic;
        check(&semantic);
    }

    /// The node whose source text is `text`, of the kind `kind` accepts.
    fn node(semantic: &Semantic<'_>, text: &str, kind: fn(&AstKind<'_>) -> bool) -> NodeId {
        semantic
            .nodes()
            .iter()
            .find(|n| {
                kind(&n.kind()) && n.kind().span().source_text(semantic.source_text()) == text
            })
            .unwrap_or_else(|| panic!("no node `{text}`"))
            .id()
    }

    fn is_function(kind: &AstKind<'_>) -> bool {
        matches!(
            kind,
            AstKind::Function(_) | AstKind::ArrowFunctionExpression(_)
        )
    }

    fn is_statement(kind: &AstKind<'_>) -> bool {
        matches!(
            kind,
            AstKind::VariableDeclaration(_) | AstKind::ExpressionStatement(_)
        )
    }

    fn instructions(graph: &FunctionGraph) -> Vec<InstructionKind> {
        graph
            .cfg
            .basic_blocks
            .iter()
            .flat_map(|block| block.instructions().iter().map(|i| i.kind))
            .collect()
    }

    #[test]
    fn a_function_holds_its_own_statements_and_not_a_nested_functions() {
        let source = "function outer() {\n  const a = 1;\n  const inner = () => {\n    const b = 2;\n  };\n  return a;\n}\n";
        with_semantic(source, |semantic| {
            let outer = node(semantic, &source[..source.len() - 1], is_function);
            let inner = node(semantic, "() => {\n    const b = 2;\n  }", is_function);
            let a = node(semantic, "const a = 1;", is_statement);
            let b = node(semantic, "const b = 2;", is_statement);
            let outer_graph = FunctionGraph::build(outer, semantic.nodes()).unwrap();
            assert!(outer_graph.block_of(a).is_some());
            assert!(outer_graph.block_of(b).is_none());
            let inner_graph = FunctionGraph::build(inner, semantic.nodes()).unwrap();
            assert!(inner_graph.block_of(b).is_some());
            assert!(inner_graph.block_of(a).is_none());
            // Not a function: no graph.
            assert!(FunctionGraph::build(a, semantic.nodes()).is_none());
        });
    }

    #[test]
    fn the_try_blocks_statements_reach_the_finally_and_the_finallys_do_not() {
        let source = "function f() { try { g(); } finally { h(); } }";
        with_semantic(source, |semantic| {
            let f = node(semantic, source, is_function);
            let graph = FunctionGraph::build(f, semantic.nodes()).unwrap();
            let finalizes = |statement: &str| {
                let block = graph
                    .block_of(node(semantic, statement, is_statement))
                    .unwrap();
                graph
                    .cfg
                    .graph()
                    .edges(block)
                    .any(|e| matches!(e.weight(), EdgeType::Finalize))
            };
            assert!(finalizes("g();"));
            assert!(!finalizes("h();"));
        });
    }

    #[test]
    fn a_function_ends_implicitly_only_where_no_return_or_throw_ends_it() {
        let source = "function a(x) { if (x) return 1; return 2; }\n\
                      function b(x) { if (x) return 1; }\n\
                      const c = () => d();";
        with_semantic(source, |semantic| {
            let implicit_returns = |text: &str| {
                let graph =
                    FunctionGraph::build(node(semantic, text, is_function), semantic.nodes())
                        .unwrap();
                instructions(&graph)
                    .into_iter()
                    .filter(|k| *k == InstructionKind::ImplicitReturn)
                    .count()
            };
            assert_eq!(
                implicit_returns("function a(x) { if (x) return 1; return 2; }"),
                0
            );
            assert_eq!(implicit_returns("function b(x) { if (x) return 1; }"), 1);
            // An expression body has no statements: the function only ends.
            let arrow =
                FunctionGraph::build(node(semantic, "() => d()", is_function), semantic.nodes())
                    .unwrap();
            assert_eq!(instructions(&arrow), vec![InstructionKind::ImplicitReturn]);
        });
    }
}
