/**
 * The `policy` object of a reach answer and the graph of a `policy map` answer, as plain data. Defined
 * here, in core, because an Answer carries them; src/net/policy-engine.ts computes them.
 */

export type PolicyProtocol = 'TCP' | 'UDP' | 'SCTP';

/** One entry of a verdict's `allowed` list: protocol and an inclusive port range. */
export interface AllowedRange {
  protocol: PolicyProtocol;
  port: number;
  endPort: number;
}

/** One direction of a verdict. */
export interface DirectionVerdict {
  /** A policy with this direction selects that side's pod. */
  isolated: boolean;
  /** "ns/name" of every policy that selects that side for this direction. */
  policies: string[];
  /** Those of them with a rule admitting this peer (on some port). */
  admittedBy: string[];
}

/** The port asked about. */
export interface PortVerdict {
  protocol: PolicyProtocol;
  port: number;
  verdict: 'allowed' | 'denied';
  because: string;
}

/** The Answer's `policy` object (issue 13: this exact shape; `reason` only when not evaluated, `port` only when one was asked). */
export interface PolicyVerdict {
  evaluated: boolean;
  reason?: string;
  /** Every connection from → to that the policies admit: "all", "none", or ranges sorted by protocol (TCP, UDP, SCTP) then port. */
  allowed?: 'all' | 'none' | AllowedRange[];
  egress?: DirectionVerdict;
  ingress?: DirectionVerdict;
  port?: PortVerdict;
}

/** A picture of allowed connections (`policy map`): Graphviz DOT plus the nodes and edges it draws. */
export interface AnswerGraph {
  /** Graphviz DOT source; the terminal prints it, Slack renders it to a PNG. */
  dot: string;
  /** File name for the rendered picture, without extension. */
  name: string;
  nodes: { id: string; label: string; kind: 'workload' | 'outside' }[];
  edges: { from: string; to: string; label: string }[];
}
