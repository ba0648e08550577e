/**
 * Did-you-mean for mistyped commands and options at any depth, derived from the parser's own usage
 * tree (Optique loses its suggestions once command groups are nested).
 * @module
 */

/** A usage term, as Optique describes parsers. */
export interface UsageTerm {
  type: string;
  name?: string;
  names?: string[];
  metavar?: string;
  terms?: UsageTerm[] | UsageTerm[][];
}

/** One command level: its subcommands and its options (true when the option takes a value). */
export interface CommandNode {
  commands: Map<string, CommandNode>;
  options: Map<string, boolean>;
}

function emptyNode(): CommandNode {
  return { commands: new Map(), options: new Map() };
}

function addSequence(node: CommandNode, seq: UsageTerm[]): void {
  for (const term of seq) {
    if (term.type === "command" && term.name) {
      const child = node.commands.get(term.name) ?? emptyNode();
      node.commands.set(term.name, child);
      node = child;
    } else if (term.type === "option" && term.names) {
      for (const n of term.names) node.options.set(n, Boolean(term.metavar));
    } else if (term.type === "exclusive" && term.terms) {
      for (const alt of term.terms as UsageTerm[][]) addSequence(node, alt);
    } else if (term.terms) {
      addSequence(node, term.terms as UsageTerm[]);
    }
  }
}

/** Builds the command tree from a parser's usage. */
export function commandTree(usage: readonly UsageTerm[]): CommandNode {
  const root = emptyNode();
  addSequence(root, [...usage]);
  return root;
}

/** Levenshtein distance. */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(
        d[i - 1][j] + 1,
        d[i][j - 1] + 1,
        d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
  }
  return d[a.length][b.length];
}

/** The closest candidates to `word` (by edit distance, `_`/`-` confusions and prefixes). */
export function closest(word: string, candidates: Iterable<string>): string[] {
  const norm = (s: string) => s.toLowerCase().replaceAll("_", "-");
  const scored = [...candidates].map((c) => {
    let d = distance(norm(word), norm(c));
    if (norm(c).startsWith(norm(word)) && word.replace(/^-+/, "").length >= 2) d = Math.min(d, 1);
    return { c, d };
  });
  const limit = Math.max(2, Math.floor(word.length / 3));
  const best = Math.min(...scored.map((s) => s.d));
  return best <= limit ? scored.filter((s) => s.d === best).map((s) => s.c).sort() : [];
}

/** Walks argv through the tree and returns a did-you-mean line for the first unknown word. */
export function didYouMean(tree: CommandNode, argv: readonly string[]): string | undefined {
  let node = tree;
  const path: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === "--") return undefined;
    if (word.startsWith("-") && word !== "-") {
      const name = word.split("=")[0];
      if (node.options.has(name)) {
        if (node.options.get(name) && !word.includes("=")) i++;
        continue;
      }
      if (["-h", "--help", "--version"].includes(name)) continue;
      const options = [...node.options.keys(), "--help"];
      const match = closest(
        name,
        options.filter((o) => o.startsWith("--") === name.startsWith("--")),
      );
      return match.length
        ? `Did you mean ${match.map((m) => `\`${m}\``).join(" or ")}? (in \`${
          ["dcos-security", ...path].join(" ")
        }\`)`
        : undefined;
    }
    const child = node.commands.get(word);
    if (child) {
      node = child;
      path.push(word);
      continue;
    }
    if (node.commands.size) {
      const match = closest(word, node.commands.keys());
      const where = ["dcos-security", ...path].join(" ");
      return match.length
        ? `Did you mean ${match.map((m) => `\`${where} ${m}\``).join(" or ")}?`
        : undefined;
    }
  }
  return undefined;
}
