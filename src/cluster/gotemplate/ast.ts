// The parse tree. Node kinds and their String() forms follow Go's text/template/parse, because
// exec errors quote the failing node (`at <fail "boom">`).

import { quoteGo } from './fmt.js';

export interface NodeBase {
  /** Offset (UTF-16 index) in the template source. */
  pos: number;
}

export interface TextNode extends NodeBase { type: 'text'; text: string }
export interface CommentNode extends NodeBase { type: 'comment'; text: string }
export interface ActionNode extends NodeBase { type: 'action'; line: number; pipe: PipeNode }
export interface BreakNode extends NodeBase { type: 'break'; line: number }
export interface ContinueNode extends NodeBase { type: 'continue'; line: number }
export interface ListNode extends NodeBase { type: 'list'; nodes: Node[] }
export interface BranchNode extends NodeBase {
  type: 'if' | 'range' | 'with';
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList?: ListNode;
}
export interface TemplateNode extends NodeBase { type: 'template'; line: number; name: string; pipe?: PipeNode }
/** Produced by the parser for `{{end}}` / `{{else}}` and consumed by it; never executed. */
export interface EndNode extends NodeBase { type: 'end' }
export interface ElseNode extends NodeBase { type: 'else'; line: number }

export interface PipeNode extends NodeBase {
  type: 'pipe';
  line: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode extends NodeBase { type: 'command'; args: ArgNode[] }
export interface IdentifierNode extends NodeBase { type: 'identifier'; ident: string }
/** `$x.a.b`: ident = ['$x', 'a', 'b']. */
export interface VariableNode extends NodeBase { type: 'variable'; ident: string[] }
/** `.a.b`: ident = ['a', 'b']. */
export interface FieldNode extends NodeBase { type: 'field'; ident: string[] }
/** `(pipeline).a.b`. */
export interface ChainNode extends NodeBase { type: 'chain'; node: ArgNode; field: string[] }
export interface DotNode extends NodeBase { type: 'dot' }
export interface NilNode extends NodeBase { type: 'nil' }
export interface BoolNode extends NodeBase { type: 'bool'; value: boolean }
export interface StringNode extends NodeBase { type: 'string'; quoted: string; text: string }
export interface NumberNode extends NodeBase {
  type: 'number';
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int64: bigint;
  uint64: bigint;
  float64: number;
}

export type ArgNode =
  | IdentifierNode | VariableNode | FieldNode | ChainNode | DotNode | NilNode | BoolNode | StringNode | NumberNode | PipeNode;
export type Node =
  | TextNode | CommentNode | ActionNode | BreakNode | ContinueNode | ListNode | BranchNode | TemplateNode | EndNode | ElseNode;
export type AnyNode = Node | ArgNode | CommandNode;

/** Go's Node.String(). */
export function nodeString(n: AnyNode): string {
  switch (n.type) {
    case 'text':
      return n.text;
    case 'comment':
      return `{{${n.text}}}`;
    case 'action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'break':
      return '{{break}}';
    case 'continue':
      return '{{continue}}';
    case 'list':
      return n.nodes.map(nodeString).join('');
    case 'if':
    case 'range':
    case 'with': {
      let s = `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}`;
      if (n.elseList) s += `{{else}}${nodeString(n.elseList)}`;
      return s + '{{end}}';
    }
    case 'template':
      return n.pipe ? `{{template ${quoteGo(n.name)} ${nodeString(n.pipe)}}}` : `{{template ${quoteGo(n.name)}}}`;
    case 'end':
      return '{{end}}';
    case 'else':
      return '{{else}}';
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) s = n.decl.map(nodeString).join(', ') + ' := ';
      return s + n.cmds.map(nodeString).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'identifier':
      return n.ident;
    case 'variable':
      return n.ident.join('.');
    case 'field':
      return n.ident.map((i) => '.' + i).join('');
    case 'chain': {
      const s = n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node);
      return s + n.field.map((f) => '.' + f).join('');
    }
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return n.value ? 'true' : 'false';
    case 'string':
      return n.quoted;
    case 'number':
      return n.text;
  }
}

/** parse.IsEmptyTree: only whitespace text and comments. */
export function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case 'comment':
      return true;
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'text':
      return n.text.trim() === '';
    default:
      return false;
  }
}
