pub fn demo(_dir: &std::path::Path, _quiet: bool) -> anyhow::Result<i32> { anyhow::bail!("todo") }
