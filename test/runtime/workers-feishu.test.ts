/** The Workers' fetch sender (src/runtime/workers/feishu-fetch.ts) keeps the same contract as the SDK sender. */
import { createFetchSender } from '../../src/runtime/workers/feishu-fetch.ts'
import { describeFeishuSender } from '../channels/feishu/sender-contract.ts'

describeFeishuSender('createFetchSender', createFetchSender)
