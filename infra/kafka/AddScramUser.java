// Creates or updates a SCRAM user on a running broker through the Admin API (kafka-clients is on
// the classpath of start.sh). Used for storage formatted before the SASL listener existed: a fresh
// storage gets its users at format time (StorageTool --add-scram). Run as a single-file program:
//   java -cp 'infra/kafka/lib/*' infra/kafka/AddScramUser.java <bootstrap> <user> <password>
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

public class AddScramUser {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    try (Admin admin = Admin.create(props)) {
      // One mechanism per request: the broker refuses two alterations of one user in a request.
      for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
        admin
            .alterUserScramCredentials(
                List.of(
                    new UserScramCredentialUpsertion(
                        args[1], new ScramCredentialInfo(mechanism, 8192), args[2])))
            .all()
            .get();
      }
    }
  }
}
