/** A Dockerfile's instructions as the tests read them. */

/** The JSON-array argument of an instruction (ENTRYPOINT, CMD). */
export function dockerfileArray(dockerfile: string, instruction: string): string[] {
  return JSON.parse(new RegExp(`^${instruction} (.*)$`, 'm').exec(dockerfile)![1]!) as string[];
}

/** The (first) RUN instruction, continuation lines joined, as its `&&`-separated commands. */
export function dockerfileRun(dockerfile: string): string[] {
  return /^RUN ((?:.*\\\n)*.*)$/m
    .exec(dockerfile)![1]!
    .replace(/\\\n/g, ' ')
    .split('&&')
    .map((c) => c.trim().replace(/\s+/g, ' '));
}
