//! Dendron workspaces (a `dendron.yml` at the root), whose links differ
//! from Obsidian's and Foam's in three ways:
//!
//! - the label comes first: `[[the tools|cook.tools#knives]]` links to
//!   `cook.tools.md` ([`crate::syntax::Link::read_label_first`]);
//! - a link may name its vault: `[[dendron://notes/cook.tools]]`;
//! - a note reference may embed a range: `![[cook.tools#knives,1:#pans]]`
//!   embeds from the heading `knives` (one line in) to `pans`, `#*` being
//!   the end of the note.

use crate::syntax::yaml;

/// At the root of a Dendron workspace.
pub const CONFIG_FILE: &str = "dendron.yml";

/// What gloss reads of `dendron.yml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dendron {
    /// The names of the workspace's vaults (a vault's `name`, else the
    /// last folder of its `fsPath`).
    vaults: Vec<String>,
}

/// A link's target once its `dendron://vault/` prefix is read.
#[derive(Debug, PartialEq, Eq)]
pub enum VaultTarget<'a> {
    /// No prefix: the target as written.
    Plain,
    /// A vault of this workspace: the note's name after the prefix.
    Here(&'a str),
    /// A vault this workspace does not hold: the link cannot be followed
    /// here, and is reported as Dendron would find it, broken.
    Elsewhere,
}

impl Dendron {
    /// The Dendron configuration of a workspace whose `dendron.yml` reads
    /// `text`. One that does not parse still makes a Dendron workspace:
    /// its links are still read label first.
    pub fn parse(text: &str) -> Dendron {
        let Ok(Some(root)) = yaml::parse(text) else {
            return Dendron::default();
        };
        // Version 5 keeps the vaults under `workspace:`, earlier ones at
        // the top.
        let vaults = root
            .get("workspace")
            .and_then(|workspace| workspace.get("vaults"))
            .or_else(|| root.get("vaults"));
        let vaults = match vaults {
            Some(yaml::Node::Seq(vaults, _)) => vaults
                .iter()
                .filter_map(|vault| {
                    let name = vault.get("name").and_then(yaml::Node::as_scalar);
                    let folder = vault.get("fsPath").and_then(yaml::Node::as_scalar);
                    let last_folder = |path: &str| {
                        let path = path.trim_end_matches('/');
                        path.rsplit('/').next().unwrap_or(path).to_string()
                    };
                    match (name, folder) {
                        (Some((name, _)), _) => Some(name.to_string()),
                        (None, Some((folder, _))) => Some(last_folder(folder)),
                        (None, None) => None,
                    }
                })
                .collect(),
            _ => Vec::new(),
        };
        Dendron { vaults }
    }

    /// Reads the `dendron://vault/` prefix of `target`, if it has one.
    pub fn vault_target<'a>(&self, target: &'a str) -> VaultTarget<'a> {
        let Some(rest) = target.strip_prefix("dendron://") else {
            return VaultTarget::Plain;
        };
        // `dendron://$this/name` is the linking note's own vault.
        let (vault, name) = rest.split_once('/').unwrap_or((rest, ""));
        if vault == "$this" || self.vaults.iter().any(|v| v == vault) {
            VaultTarget::Here(name)
        } else {
            VaultTarget::Elsewhere
        }
    }
}

/// The heading a note reference's anchor starts at: `knives` of
/// `knives,1:#pans`, `knives:#*` and `knives`. `*` alone (the whole note)
/// names none.
pub fn anchor_start(anchor: &str) -> Option<&str> {
    let start = anchor.split(":#").next().unwrap_or(anchor);
    let start = start.split(',').next().unwrap_or(start);
    (start != "*" && !start.is_empty()).then_some(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vaults_by_name_or_folder_in_both_layouts() {
        let v5 = "version: 5\nworkspace:\n  vaults:\n    - fsPath: vault\n      name: notes.site\n    - fsPath: deps/private/\n";
        let dendron = Dendron::parse(v5);
        assert_eq!(dendron.vaults, ["notes.site", "private"]);
        assert_eq!(
            Dendron::parse("vaults:\n  - fsPath: 笔记\n").vaults,
            ["笔记"]
        );
        assert_eq!(Dendron::parse("[unclosed").vaults, Vec::<String>::new());
    }

    #[test]
    fn vault_prefixes() {
        let dendron = Dendron::parse("vaults:\n  - fsPath: notes\n");
        assert_eq!(dendron.vault_target("cook.tools"), VaultTarget::Plain);
        assert_eq!(
            dendron.vault_target("dendron://notes/cook.tools"),
            VaultTarget::Here("cook.tools")
        );
        assert_eq!(
            dendron.vault_target("dendron://$this/cook.tools"),
            VaultTarget::Here("cook.tools")
        );
        assert_eq!(
            dendron.vault_target("dendron://other.vault/cook"),
            VaultTarget::Elsewhere
        );
    }

    #[test]
    fn anchor_ranges_start_at_their_first_heading() {
        assert_eq!(anchor_start("knives,1:#pans"), Some("knives"));
        assert_eq!(anchor_start("knives:#*"), Some("knives"));
        assert_eq!(anchor_start("刀具"), Some("刀具"));
        assert_eq!(anchor_start("^block-1"), Some("^block-1"));
        assert_eq!(anchor_start("*"), None);
    }
}
