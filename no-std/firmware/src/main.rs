//! mlp-no-std's selftest on a Cortex-M4F with no operating system and no
//! allocator: prints the report over semihosting (the format of
//! `no-std/tests/selftest.c`) and exits with its status. With feature `heap`, a
//! heap is the global allocator and the allocating selftest's three numbers follow
//! on the same line.

#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprint, hprintln};

#[cfg(feature = "heap")]
#[global_allocator]
static HEAP: embedded_alloc::LlffHeap = embedded_alloc::LlffHeap::empty();

#[entry]
fn main() -> ! {
    #[cfg(feature = "heap")]
    // SAFETY: called once, first, before anything allocates.
    unsafe {
        embedded_alloc::init!(HEAP, 512 * 1024);
    }
    let status = match run() {
        Ok(()) => debug::EXIT_SUCCESS,
        Err(e) => {
            hprintln!("selftest refused a step: {}", e);
            debug::EXIT_FAILURE
        }
    };
    debug::exit(status);
    park()
}

fn run() -> Result<(), mlp_no_std::Error> {
    let r = mlp_no_std::selftest()?;
    hprint!(
        "{} {} {} {} {} {}",
        r.placement,
        r.xor_before,
        r.xor_after,
        r.xor_correct,
        r.digits_before,
        r.digits_after
    );
    #[cfg(feature = "heap")]
    {
        let h = mlp_no_std::selftest_with_heap()?;
        hprint!(
            " {} {} {}",
            h.placement_difference,
            h.xor_fit_loss,
            h.digits_gradient_difference
        );
    }
    hprintln!();
    Ok(())
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
