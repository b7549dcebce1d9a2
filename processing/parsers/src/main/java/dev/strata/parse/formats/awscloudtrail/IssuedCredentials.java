package dev.strata.parse.formats.awscloudtrail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a credential-issuing CloudTrail record says about the credentials, collected while its requestParameters
 * (session tags) and responseElements stream by, so the mapping never reads those objects a second time:
 * responseElements credentials.accessKeyId / expiration, assumedRoleUser.arn, federatedUser.arn,
 * subjectFromWebIdentityToken, subject.namespace / serviceAccount, podIdentityAssociation.associationArn; the
 * requestParameters {@code tags} (else {@code sessionTags}) as key/value pairs ({@code key}/{@code Key},
 * {@code value}/{@code Value}). Values are scalar texts; a field holding an object or array is left out. Also the image
 * an ECR call answers with ({@code PutImage}'s responseElements {@code image}: registryId, repositoryName,
 * imageId.imageDigest / imageTag): what a push wrote under the tag, which only the response says.
 */
final class IssuedCredentials {

  String accessKeyId;
  String expiration;
  String assumedRoleArn;
  String federatedUserArn;
  String subjectFromWebIdentityToken;
  String subjectNamespace;
  String subjectServiceAccount;
  String podIdentityAssociation;
  /** responseElements.image of an ECR call: registry id, repository name, digest, tag (null when absent). */
  String imageRegistryId;
  String imageRepository;
  String imageDigest;
  String imageTag;
  private boolean tagsSeen;
  private final List<String> tags = new ArrayList<>(); // key, value, key, value ... of requestParameters.tags
  private final List<String> sessionTags = new ArrayList<>();

  void clear() {
    accessKeyId = expiration = assumedRoleArn = federatedUserArn = subjectFromWebIdentityToken = null;
    subjectNamespace = subjectServiceAccount = podIdentityAssociation = null;
    imageRegistryId = imageRepository = imageDigest = imageTag = null;
    tagsSeen = false;
    tags.clear();
    sessionTags.clear();
  }

  /** The session tags as key, value, key, value ...: requestParameters.tags if present, else sessionTags. */
  List<String> tags() {
    return tagsSeen ? tags : sessionTags;
  }

  /** requestParameters.tags is present but not an array. */
  void tagsField() {
    tagsSeen = true;
  }

  /** A requestParameters tags / sessionTags value ({@code p} at its first token). */
  void tags(JsonParser p, boolean isTags) throws IOException {
    if (isTags) tagsSeen = true;
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      return;
    }
    List<String> into = isTags ? tags : sessionTags;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      String key = null, keyUpper = null, value = null, valueUpper = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        switch (f) {
          case "key" -> key = Json.scalarText(p);
          case "Key" -> keyUpper = Json.scalarText(p);
          case "value" -> value = Json.scalarText(p);
          case "Value" -> valueUpper = Json.scalarText(p);
          default -> p.skipChildren();
        }
      }
      String k = key != null ? key : keyUpper;
      String v = value != null ? value : valueUpper;
      if (k != null && v != null) {
        into.add(k);
        into.add(v);
      }
    }
  }

  /** Streams responseElements ({@code p} at START_OBJECT) to its END_OBJECT, keeping the issued-credential fields. */
  void responseElements(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      if (t == JsonToken.START_OBJECT) {
        switch (f) {
          case "credentials" -> credentials(p);
          case "assumedRoleUser" -> assumedRoleArn = Json.memberText(p, "arn");
          case "federatedUser" -> federatedUserArn = Json.memberText(p, "arn");
          case "subject" -> subject(p);
          case "podIdentityAssociation" -> podIdentityAssociation = Json.memberText(p, "associationArn");
          case "image" -> image(p);
          default -> p.skipChildren();
        }
      } else if ("subjectFromWebIdentityToken".equals(f)) {
        subjectFromWebIdentityToken = Json.scalarText(p);
      } else {
        p.skipChildren();
      }
    }
  }

  private void credentials(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      p.nextToken();
      switch (f) {
        case "accessKeyId" -> accessKeyId = Json.scalarText(p);
        case "expiration" -> expiration = Json.scalarText(p);
        default -> p.skipChildren();
      }
    }
  }

  /** ECR's {@code image} object ({@code p} at START_OBJECT): registryId, repositoryName, imageId {imageDigest, imageTag}. */
  private void image(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      switch (f) {
        case "registryId" -> imageRegistryId = Json.scalarText(p);
        case "repositoryName" -> imageRepository = Json.scalarText(p);
        case "imageId" -> {
          if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            break;
          }
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String g = p.currentName();
            p.nextToken();
            switch (g) {
              case "imageDigest" -> imageDigest = Json.scalarText(p);
              case "imageTag" -> imageTag = Json.scalarText(p);
              default -> p.skipChildren();
            }
          }
        }
        default -> p.skipChildren();
      }
    }
  }

  private void subject(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      p.nextToken();
      switch (f) {
        case "namespace" -> subjectNamespace = Json.scalarText(p);
        case "serviceAccount" -> subjectServiceAccount = Json.scalarText(p);
        default -> p.skipChildren();
      }
    }
  }
}
