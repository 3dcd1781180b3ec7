# Tests of the X.509 toolkit (mtk_x509): one Check suite per module. The
# identity suite makes its identities with the CA, so it links mtk::ca too.
foreach(module x509_name x509_san x509_cert x509_crl x509_pem x509_p12 key_race rsa_prime)
  mtk_add_unit_test(${module} mtk::x509)
endforeach()
mtk_add_unit_test(x509_identity mtk::x509 mtk::ca)
