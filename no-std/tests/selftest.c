/* Runs mlp-no-std's selftest from a program that links nothing of Rust's but the
   static library itself (built without std and without an allocator), and prints
   the report for tests/bare_metal.rs to compare. */
#include <stdint.h>
#include <stdio.h>

struct report {
    float placement;
    float xor_before;
    float xor_after;
    uint32_t xor_correct;
    float digits_before;
    float digits_after;
};

int32_t mlp_no_std_selftest(struct report *report);

/* The prebuilt `core` keeps unwind tables that name Rust's personality routine;
   with panic = "abort" nothing unwinds, so it is never called. */
void rust_eh_personality(void) {}

int main(void) {
    struct report r;
    int32_t status = mlp_no_std_selftest(&r);
    if (status != 0) {
        fprintf(stderr, "selftest refused a step: %d\n", (int)status);
        return 1;
    }
    printf("%.9g %.9g %.9g %u %.9g %.9g\n", r.placement, r.xor_before, r.xor_after,
           (unsigned)r.xor_correct, r.digits_before, r.digits_after);
    return 0;
}
