//! Repeats the zip central-directory parse to separate steady-state cost
//! from first-touch cost (debug aid).
fn main() {
    let path = std::env::args().nth(1).expect("path");
    let data = std::fs::read(&path).unwrap();
    for i in 0..5 {
        let t = std::time::Instant::now();
        let n = humiao::apk::zip::Archive::parse(&data)
            .unwrap()
            .value
            .entries()
            .len();
        println!("run {i}: {n} entries in {:?}", t.elapsed());
    }
}
