/** One fenced block of a README recipe: `sh` blocks are commands to run, `lang file` blocks files to write. */
export interface RecipeStep { kind: 'sh' | 'file'; name: string; text: string }

/** The fenced blocks between `<!-- recipe:NAME -->` and `<!-- /recipe:NAME -->`, in order. */
export function recipeSteps(readme: string, recipe: string): RecipeStep[] {
  const start = readme.indexOf(`<!-- recipe:${recipe}`);
  const end = readme.indexOf(`<!-- /recipe:${recipe} -->`);
  if (start < 0 || end < start) throw new Error(`README.md has no recipe:${recipe} markers`);
  return [...readme.slice(start, end).matchAll(/^```(\w+)(?: +(\S+))?\n([\s\S]*?)^```$/gm)].map(([, lang, file, text]) => (
    lang === 'sh' ? { kind: 'sh', name: 'sh', text: text! } : { kind: 'file', name: file ?? `(a ${lang} block without a file name)`, text: text! }));
}

/** The recipe's `sh` blocks only, trimmed: the commands a reader pastes, block by block. */
export function recipeBlocks(readme: string, recipe: string): string[] {
  return recipeSteps(readme, recipe).filter((step) => step.kind === 'sh').map((step) => step.text.trim());
}
