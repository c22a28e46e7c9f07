//! A synthetic vault: notes in folders, a glossary file, a bibliography,
//! written in the mix users write (English and Chinese, emoji, lists, code
//! fences, links, citations by key and by title, a few broken links).

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub notes: usize,
    pub terms: usize,
    pub papers: usize,
    pub seed: u64,
}

/// xorshift64*: deterministic and good enough to pick words.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const WORDS: &[&str] = &[
    "model",
    "scaling",
    "tokens",
    "attention",
    "loss",
    "compute",
    "data",
    "prompt",
    "reasoning",
    "alignment",
    "reward",
    "policy",
    "layer",
    "embedding",
    "context",
    "window",
    "benchmark",
    "emergent",
    "few-shot",
    "zero-shot",
    "fine-tune",
    "pre-train",
    "decoder",
    "encoder",
    "sparse",
    "dense",
    "retrieval",
    "evaluation",
    "inference",
    "latency",
    "throughput",
    "parameters",
    "optimizer",
    "gradient",
    "batch",
    "schedule",
    "dropout",
    "residual",
];
const CJK: &[&str] = &[
    "大模型",
    "预训练",
    "微调",
    "提示词",
    "思维链",
    "上下文学习",
    "涌现能力",
    "对齐",
    "奖励模型",
    "注意力机制",
    "缩放定律",
    "推理能力",
    "指令微调",
    "数据配比",
    "长上下文",
    "评测基准",
];
const PUNCT: &[&str] = &["，", "。", "：", "；", "、", ", ", ". ", "; "];
const EMOJI: &[&str] = &["💡", "🚧", "📮", "🤖", "📈", "🧠", "✅", "😀"];

fn term_name(k: usize) -> String {
    format!(
        "{} {} {k}",
        capitalize(WORDS[k % WORDS.len()]),
        capitalize(WORDS[(k / 7) % WORDS.len()])
    )
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn paper_key(p: usize) -> String {
    format!(
        "author{p}{}{}",
        2015 + p % 10,
        WORDS[p % WORDS.len()].replace('-', "")
    )
}

/// A title unique to paper `p`: five words picked by `p`'s digits in base
/// `WORDS.len()`, so that titles neither repeat nor share a main title.
fn paper_title(p: usize) -> String {
    let n = WORDS.len();
    let word = |k: u32| WORDS[(p / n.pow(k)) % n];
    format!(
        "{} {} of {} {} via {}",
        capitalize(word(0)),
        word(1),
        word(2),
        word(3),
        word(4)
    )
}

fn note_path(i: usize) -> String {
    format!("topic-{:03}/note-{i}.md", i % 100)
}

/// A sentence of English and Chinese with the odd link or citation.
fn sentence(rng: &mut Rng, spec: &Spec, note: usize, out: &mut String) {
    let words = 6 + rng.below(8);
    for w in 0..words {
        match rng.below(100) {
            0..=49 => out.push_str(rng.pick(WORDS)),
            50..=79 => out.push_str(rng.pick(CJK)),
            80..=84 => {
                let _ = write!(out, "[[{}]]", term_name(rng.below(spec.terms)));
            }
            85..=86 => {
                let target = rng.below(spec.notes);
                let _ = write!(out, "[[note-{target}]]");
            }
            87..=89 => {
                let _ = write!(
                    out,
                    "[@{}, p. {}]",
                    paper_key(rng.below(spec.papers)),
                    1 + rng.below(30)
                );
            }
            90 => {
                let _ = write!(out, "@{}", paper_key(rng.below(spec.papers)));
            }
            91 => out.push_str(rng.pick(EMOJI)),
            // A paper by its title, as people write them: quoted, after a
            // dash, or in the sentence.
            94 | 95 => {
                let title = paper_title(rng.below(spec.papers));
                let _ = match rng.below(3) {
                    0 => write!(out, "“{title}”"),
                    1 => write!(out, "——{title}——"),
                    _ => write!(out, "{title}"),
                };
            }
            92 => {
                let _ = write!(out, "`code_{w}`");
            }
            93 if rng.chance(10) => {
                // About one note in a few hundred has a broken link.
                let _ = write!(out, "[[Missing concept {note}]]");
            }
            _ => out.push_str(rng.pick(WORDS)),
        }
        out.push_str(if rng.chance(20) { rng.pick(PUNCT) } else { " " });
    }
    out.push_str("。\n");
}

fn note(rng: &mut Rng, spec: &Spec, i: usize) -> String {
    let mut out = String::with_capacity(3000);
    let _ = write!(
        out,
        "---\ntitle: 笔记 {i} {}\naliases: [N{i}]\ntags: [bench, {}]\n---\n# {} {} {}\n\n",
        rng.pick(CJK),
        rng.pick(WORDS),
        capitalize(rng.pick(WORDS)),
        rng.pick(CJK),
        rng.pick(EMOJI)
    );
    let sections = 2 + rng.below(3);
    for s in 0..sections {
        let _ = writeln!(out, "## {} {s}\n", rng.pick(CJK));
        for _ in 0..2 + rng.below(3) {
            sentence(rng, spec, i, &mut out);
        }
        out.push('\n');
        for _ in 0..2 + rng.below(4) {
            out.push_str(if rng.chance(30) { "  - " } else { "- " });
            sentence(rng, spec, i, &mut out);
        }
        out.push('\n');
        if rng.chance(30) {
            out.push_str(
                "```python\n# [[not a link]] @not_a_citation\nloss = model(batch)\n```\n\n",
            );
        }
    }
    if i.is_multiple_of(50) {
        // A local glossary section with terms of its own.
        out.push_str("## 名词解释\n\n");
        for j in 0..2 {
            let _ = writeln!(out, "- Local {i}-{j}（本地术语{i}-{j}）：{}", rng.pick(CJK));
        }
    }
    out
}

fn glossary(rng: &mut Rng, spec: &Spec) -> String {
    let mut out = String::from("# Glossary\n\n");
    for k in 0..spec.terms {
        let _ = writeln!(
            out,
            "- {} (术语{k}): {} {} {}",
            term_name(k),
            rng.pick(WORDS),
            rng.pick(CJK),
            rng.pick(WORDS)
        );
    }
    out
}

fn bibliography(spec: &Spec) -> String {
    let mut out = String::new();
    for p in 0..spec.papers {
        let _ = writeln!(
            out,
            "@article{{{},\n  title = {{{}}},\n  author = {{Author{p}, Ada and M{{\\\"u}}ller, Jörg}},\n  year = {{{}}},\n  eprint = {{{}.{:05}}},\n  archivePrefix = {{arXiv}},\n}}\n",
            paper_key(p),
            paper_title(p),
            2015 + p % 10,
            2000 + p % 500,
            p
        );
    }
    out
}

/// Writes the vault into `dir` (which must not exist yet).
pub fn write_vault(dir: &Path, spec: Spec) -> io::Result<()> {
    let mut rng = Rng(spec.seed | 1);
    fs::create_dir_all(dir)?;
    fs::write(dir.join("gloss.toml"), "# synthetic vault\n")?;
    fs::write(dir.join("glossary.md"), glossary(&mut rng, &spec))?;
    fs::write(dir.join("papers.bib"), bibliography(&spec))?;
    for i in 0..spec.notes {
        let path = dir.join(note_path(i));
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, note(&mut rng, &spec, i))?;
    }
    Ok(())
}
