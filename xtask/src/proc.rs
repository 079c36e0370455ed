//! Child processes the xtask starts: logged to a file, tied to the xtask's life (they get
//! SIGTERM if it dies) and stopped by PID — never by name.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;

/// A running child, stopped when dropped.
pub struct Guard {
    name: String,
    child: Child,
}

/// Makes the kernel send SIGTERM to the child when the xtask exits, so no child outlives a
/// crashed or killed xtask.
fn tie_to_parent(command: &mut Command) {
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
}

/// Starts `command` with stdout/stderr into `log`.
pub fn spawn(name: &str, mut command: Command, log: &Path) -> Result<Guard> {
    let out = File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    command.stdin(Stdio::null()).stdout(out).stderr(err);
    tie_to_parent(&mut command);
    let child = command
        .spawn()
        .map_err(|e| format!("cannot start {name}: {e}"))?;
    Ok(Guard {
        name: name.to_owned(),
        child,
    })
}

impl Guard {
    /// Fails if the process already exited.
    pub fn check_alive(&mut self, log: &Path) -> Result {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            _ => Err(format!(
                "{} exited early; see {}:\n{}",
                self.name,
                log.display(),
                std::fs::read_to_string(log).unwrap_or_default()
            )),
        }
    }

    /// The child's PID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            // SIGTERM first so it can clean up, SIGKILL if it does not go.
            unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Runs a command to completion, failing with its name on a non-zero exit.
pub fn run(what: &str, command: &mut Command) -> Result {
    tie_to_parent(command);
    let status = command
        .status()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}
