# Run by CTest after the GoogleTest discovery scripts of this folder (see CMakeLists.txt): gives the
# discovered cases their labels, which gtest_discover_tests cannot do for lists.
foreach(test_name IN LISTS vireo_sandbox_unit_tests_TESTS)
  set_tests_properties("${test_name}" PROPERTIES LABELS "sandbox;unit")
endforeach()
foreach(test_name IN LISTS vireo_sandbox_tests_TESTS)
  set_tests_properties("${test_name}" PROPERTIES LABELS "sandbox")
endforeach()
foreach(test_name IN LISTS vireo_sandbox_real_tests_TESTS)
  set_tests_properties("${test_name}" PROPERTIES LABELS "sandbox;real")
endforeach()
