//! Lists a zip's entries and anomalies as the scanner sees them (debug aid).
use humiao::apk::zip::Archive;

fn main() {
    for path in std::env::args().skip(1) {
        let data = match std::fs::read(&path) {
            Ok(d) => d,
            Err(e) => {
                println!("{path}\tERR\t{e}");
                continue;
            }
        };
        match Archive::parse(&data) {
            Ok(p) => {
                let mut read_err = 0;
                for e in p.value.entries() {
                    if p.value.read(e, 1 << 31).is_err() {
                        read_err += 1;
                    }
                }
                let codes: Vec<_> = p.anomalies.iter().map(|a| a.code).collect();
                println!(
                    "{path}\t{}\tread_errors={read_err}\t{codes:?}",
                    p.value.entries().len()
                );
            }
            Err(e) => println!("{path}\tERR\t{e}"),
        }
    }
}
