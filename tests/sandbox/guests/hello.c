/* The smallest check: output reaches stdout and stderr, and the exit status is the program's. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv)
{
    printf("hello, sandbox\n");
    fprintf(stderr, "to stderr\n");
    return argc > 1 ? atoi(argv[1]) : 0;
}
