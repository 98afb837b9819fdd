/** Poll `check` until it returns true, failing after `timeoutMs`: a condition with a deadline, never a bare sleep. */
export async function waitFor (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20)) // poll interval, not a wait for time to pass
  }
}
