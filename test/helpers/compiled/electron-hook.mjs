// Node module hook for the compiled-main test: `import 'electron'` resolves to the fake.
let fakeUrl = '';
export function initialize(data) {
  fakeUrl = data.fakeUrl;
}
export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: fakeUrl, shortCircuit: true };
  return next(specifier, context);
}
