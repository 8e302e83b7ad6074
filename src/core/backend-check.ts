/** A backend netpeek can use (Docker engine, a Kubernetes context, an agent), checked for the banner and `status`. */
export interface BackendCheck {
  /** "Docker", "Kubernetes (context kind-dev)", "agent node-1". */
  name: string;
  check(): Promise<BackendState>;
}

export interface BackendState {
  ok: boolean;
  /** What was found ("Docker 24.0.7 at unix:///var/run/docker.sock") or why not ("no kubeconfig: …"). */
  detail: string;
}
