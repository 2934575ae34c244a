-- Drives Neovim's built-in LSP client (headless) against `leaklint lsp`: diagnostics for a leaky
-- file, the disable action offered and applied, and the diagnostics cleared when the text is
-- fixed. Written for every Neovim from 0.7 on (no `vim.lsp.start`, which 0.7 lacks).
-- Environment: LEAKLINT_BIN (the binary), LEAKLINT_FILE (a leaky file, line 4 leaks).
local bin = os.getenv('LEAKLINT_BIN')
local file = os.getenv('LEAKLINT_FILE')
local function say(...) io.stdout:write(table.concat({ ... }, ' ') .. '\n') end
local function check(ok, what)
  say((ok and 'ok ' or 'FAIL ') .. what)
  if not ok then vim.cmd('cquit 1') end
end

vim.cmd('edit ' .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = 'leaklint',
  cmd = { bin, 'lsp' },
  root_dir = vim.fn.fnamemodify(file, ':h'),
})
check(client_id ~= nil, 'client started')
vim.lsp.buf_attach_client(buf, client_id)
local function settle(count)
  return vim.wait(20000, function() return #vim.diagnostic.get(buf) == count end, 20)
end

check(settle(1), 'one diagnostic for the leaky file')
local d = vim.diagnostic.get(buf)[1]
check(d.lnum == 3 and d.col == 2, 'at line 4, column 3 (got ' .. d.lnum + 1 .. ':' .. d.col + 1 .. ')')
check(d.source == 'leaklint', 'source is leaklint')
local lsp_diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf, d.lnum)
check(lsp_diagnostics[1].code == 'uncleared-interval', 'code is the rule id')

local params = {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  range = lsp_diagnostics[1].range,
  context = { diagnostics = lsp_diagnostics },
}
local responses = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 20000) or {}
local disable
for _, response in pairs(responses) do
  for _, action in ipairs(response.result or {}) do
    say('action: ' .. action.title)
    if action.title == 'Disable uncleared-interval for this line' then disable = action end
  end
end
check(disable ~= nil, 'the disable action is offered')
vim.lsp.util.apply_workspace_edit(disable.edit, 'utf-16')
check(settle(0), 'the disable comment clears the diagnostic')
say('line 4: ' .. vim.api.nvim_buf_get_lines(buf, 3, 4, false)[1])

vim.cmd('silent undo')
check(settle(1), 'undo brings it back')
vim.api.nvim_buf_set_lines(buf, 3, 4, false, {
  "  const timer = setInterval(() => res.write('x'), 1000);",
  "  res.on('close', () => clearInterval(timer));",
})
check(settle(0), 'fixing the text clears the diagnostic')

vim.lsp.stop_client(client_id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
vim.cmd('qall!')
