/** The SDK-backed sender (Node) keeps the Feishu sender contract. */
import { createSdkSender } from '../../../src/channels/feishu/sdk.ts'
import { describeFeishuSender } from './sender-contract.ts'

describeFeishuSender('createSdkSender', createSdkSender)
