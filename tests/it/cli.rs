//! The command-line surface: `--help` is pinned so a change to it is a
//! deliberate, reviewed change.

use assert_cmd::Command;

fn help(args: &[&str]) -> String {
    let output = Command::cargo_bin("notesite")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn help_is_pinned() {
    insta::assert_snapshot!("help", help(&["--help"]));
    insta::assert_snapshot!("build_help", help(&["build", "--help"]));
}

#[test]
fn unknown_command_fails_with_usage() {
    Command::cargo_bin("notesite")
        .unwrap()
        .arg("bulid")
        .assert()
        .failure()
        .stderr(predicates::str::contains("unrecognized subcommand 'bulid'"));
}
