use steward_core::policy::PRESETS;
use steward_core::Policy;
#[test]
fn every_preset_parses() {
    for (name, src) in PRESETS {
        match Policy::parse(src) {
            Ok(p) => assert_eq!(p.name, name),
            Err(e) => panic!("{name}:\n{e}"),
        }
    }
}
