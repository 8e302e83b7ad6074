/** no-color.org: NO_COLOR set to anything but the empty string turns colours off. */
export function coloursAllowed(env: { NO_COLOR?: string | undefined }): boolean {
  return !env.NO_COLOR;
}
