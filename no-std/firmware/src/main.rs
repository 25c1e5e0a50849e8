//! mlp-no-std's selftest on a Cortex-M4F with no operating system and no
//! allocator: prints the report over semihosting (the format of
//! `no-std/tests/selftest.c`) and exits with its status.

#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};

#[entry]
fn main() -> ! {
    match mlp_no_std::selftest() {
        Ok(r) => {
            hprintln!(
                "{} {} {} {} {} {}",
                r.placement,
                r.xor_before,
                r.xor_after,
                r.xor_correct,
                r.digits_before,
                r.digits_after
            );
            debug::exit(debug::EXIT_SUCCESS);
        }
        Err(e) => {
            hprintln!("selftest refused a step: {}", e);
            debug::exit(debug::EXIT_FAILURE);
        }
    }
    park()
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("panic: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    park()
}

/// Where the program stays if the host does not end it at the exit request.
fn park() -> ! {
    loop {
        core::hint::spin_loop();
    }
}
