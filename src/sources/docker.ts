// Placeholder: the Docker source (dockerode) is being written; see commands/container.ts.
export interface DockerSource {
  readonly description: string;
}
