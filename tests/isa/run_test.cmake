# Runs one ISA test program and decides the outcome: the runner (Vireo or QEMU) must exit with
# status 0 AND the program must have printed its pass line, so that neither a runner that ignores
# the program (e.g. returns 0 without running it) nor output alone can make a test pass.
#
#   cmake -DTEST_COMMAND=<command;args...> -DEXPECT=<regex> -DTIMEOUT=<seconds> -P run_test.cmake
#
# The timeout is enforced here, below CTest's own, so that the runner is killed with the script.
if(NOT DEFINED EXPECT)
  set(EXPECT "vireo-test: PASS")
endif()
if(NOT DEFINED TIMEOUT)
  set(TIMEOUT 25)
endif()

execute_process(
  COMMAND ${TEST_COMMAND}
  RESULT_VARIABLE status
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output
  TIMEOUT ${TIMEOUT})

message("${output}")
if(NOT status STREQUAL "0")
  message(FATAL_ERROR "exit status: ${status}")
endif()
if(NOT output MATCHES "${EXPECT}")
  message(FATAL_ERROR "exit status 0, but the output lacks \"${EXPECT}\"")
endif()
