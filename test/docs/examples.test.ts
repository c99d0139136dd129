/**
 * The Go and Python senders of docs/examples use the contract's names. The Go one is built and run
 * against real servers by test/integration/contract/go-sender.test.ts; the Python one cannot be
 * run here (no Python Temporal SDK), so this checks that it parses and names the same messages.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/config.js';
import { ACCOUNT_WORKFLOW_TYPE } from '../../contract/account-workflow.js';
import { callCompleted, recordCalls } from '../../contract/call-events.js';
import { accountWorkflowId } from '../../contract/ids.js';
import { usage } from '../../contract/usage-query.js';

const examples = join(parseConfig({}).paths.root, 'docs', 'examples');
const names = {
  workflowType: ACCOUNT_WORKFLOW_TYPE,
  signal: callCompleted.name,
  update: recordCalls.name,
  query: usage.name,
};

describe('docs/examples', () => {
  it('the Go sender names the contract', () => {
    const go = readFileSync(join(examples, 'go-sender', 'main.go'), 'utf8');
    expect(go).toMatch(new RegExp(`workflowType\\s+= "${names.workflowType}"`));
    expect(go).toMatch(new RegExp(`signalName\\s+= "${names.signal}"`));
    expect(go).toMatch(new RegExp(`updateName\\s+= "${names.update}"`));
    expect(go).toMatch(new RegExp(`queryName\\s+= "${names.query}"`));
    expect(go).toContain(`return "${accountWorkflowId('')}" + accountID`);
  });

  it('the Python sender parses and names the contract', () => {
    const path = join(examples, 'python-sender', 'sender.py');
    // Only the standard library: parsing needs no Temporal SDK.
    execFileSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', path]);
    const py = readFileSync(path, 'utf8');
    expect(py).toContain(`WORKFLOW_TYPE = "${names.workflowType}"`);
    expect(py).toContain(`SIGNAL_NAME = "${names.signal}"`);
    expect(py).toContain(`UPDATE_NAME = "${names.update}"`);
    expect(py).toContain(`QUERY_NAME = "${names.query}"`);
    expect(py).toContain(`return f"${accountWorkflowId('{account_id}')}"`);
  });
});
