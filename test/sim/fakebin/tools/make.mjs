// Fake `make --version` (GNU Make of Ubuntu 24.04).
export async function handle() {
  return { stdout: 'GNU Make 4.3\nBuilt for x86_64-pc-linux-gnu\nCopyright (C) 1988-2020 Free Software Foundation, Inc.\n' };
}
